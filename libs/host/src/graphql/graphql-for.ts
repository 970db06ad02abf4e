import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { DynamicModule, InjectionToken, Type } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { GRAPHQL_PATH } from '@agora/platform';
import { GraphQLSchema } from 'graphql';
import { DataSource } from 'typeorm';
import { GraphiqlAssets, graphiqlLandingPage, isProduction } from './graphiql.js';
import { formatGraphqlError, httpStatuses, withoutSuggestions } from './http-statuses.js';
import { aliasLimit, complexityLimit, depthLimit, mutationLimit } from './limits.js';

/** What an app adds to serve GraphQL: the module to import, and the resolvers as providers of the importing module. */
export interface ServedGraphql {
  readonly module: DynamicModule;
  /** Providers of the module that imports the context modules, whose handlers they inject. */
  readonly resolvers: readonly Type[];
}

/**
 * GraphQL at `/graphql` (Apollo, code-first) over `resolvers`, with the limits of
 * depth, aliases, mutations and complexity, and for its errors the HTTP statuses REST
 * would answer; `loaders`, when given, are made per request from the read side (they
 * query read models the app must serve). Outside production (`NODE_ENV=production`) a
 * browser gets GraphiQL at `/graphql`, from the apps' own files; in production there is
 * no IDE, no introspection and no "Did you mean …" in errors.
 */
export function graphqlFor(resolvers: readonly Type[], loaders?: (readModels: DataSource) => object): ServedGraphql {
  const graphqlModule = GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    inject: loaders ? [DataSource] : [],
    useFactory: (readModels?: DataSource) => ({
      ...apolloOptions(),
      autoSchemaFile: true,
      sortSchema: true,
      context: ({ req }: { req: unknown }) => ({ req, ...(loaders && readModels && { loaders: loaders(readModels) }) }),
    }),
  });
  return { module: { module: GraphqlHttpModule, imports: [graphqlModule], providers: [GraphiqlAssets] }, resolvers };
}

/**
 * GraphQL at `/graphql` as `graphqlFor` serves it, over a schema made elsewhere (the
 * gateway's, composed of the apps'): the provider `schema` of the importing module, which
 * resolves every field itself, with `plugins` besides the shared ones. The context of every
 * operation holds its HTTP request (`req`).
 */
export function graphqlOver(schema: InjectionToken, plugins: readonly ApolloServerPlugin[] = []): DynamicModule {
  const graphqlModule = GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    inject: [schema],
    useFactory: (served: GraphQLSchema) => {
      const options = apolloOptions();
      return { ...options, plugins: [...plugins, ...(options.plugins ?? [])], schema: served, context: ({ req }: { req: unknown }) => ({ req }) };
    },
  });
  return { module: GraphqlHttpModule, imports: [graphqlModule], providers: [GraphiqlAssets] };
}

/** What every GraphQL endpoint of the system shares: its path, limits, errors, statuses and IDE. */
function apolloOptions(): ApolloDriverConfig {
  return {
    path: `/${GRAPHQL_PATH}`,
    introspection: !isProduction(),
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimit, aliasLimit, mutationLimit],
    // Nest's own GraphiQL page loads its scripts from a CDN: ours, or none in production.
    graphiql: false,
    plugins: [complexityLimit(), httpStatuses(), ...(isProduction() ? [] : [graphiqlLandingPage()])],
    formatError: isProduction() ? (formatted, error) => withoutSuggestions(formatGraphqlError(formatted, error)) : formatGraphqlError,
    // httpStatuses decides the status of every answer (Nest's plugin would make it 200 whenever data is null).
    preserveHttpStatusForExecutionErrors: false,
    transformSchema: reachableOnly,
  };
}

class GraphqlHttpModule {}

/**
 * The schema without the types its operations cannot reach. Nest adds every object type
 * the process has loaded that another one's field names: a context app would otherwise
 * show the other contexts' types.
 */
export function reachableOnly(schema: GraphQLSchema): GraphQLSchema {
  return new GraphQLSchema({ ...schema.toConfig(), types: [] });
}
