import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { GRAPHQL_PATH } from '@agora/platform';
import { DataSource } from 'typeorm';
import { complexityLimit, depthLimit } from './limits.js';
import { createLoaders } from './loaders.js';

/** GraphQL at `/graphql` (Apollo, code-first): depth and complexity limits, per-request DataLoaders. */
export const shopGraphql = () =>
  GraphQLModule.forRootAsync<ApolloDriverConfig>({
    driver: ApolloDriver,
    inject: [DataSource],
    useFactory: (readModels: DataSource) => ({
      path: `/${GRAPHQL_PATH}`,
      autoSchemaFile: true,
      sortSchema: true,
      introspection: true,
      includeStacktraceInErrorResponses: false,
      validationRules: [depthLimit],
      plugins: [complexityLimit()],
      context: ({ req }: { req: unknown }) => ({ req, loaders: createLoaders(readModels) }),
    }),
  });
