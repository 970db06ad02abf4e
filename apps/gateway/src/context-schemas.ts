import type { ContextDefinition } from '@agora/host';
import { reachableOnly } from '@agora/host';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';

/**
 * The schema each context's app serves at /graphql, made here from the same resolver
 * classes the app registers (its `graphql.resolvers` and `graphql.alone`), without
 * asking the app: the gateway knows them before any app runs, and also where apps do not
 * answer introspection (in production). Only the fields' declarations are read; the
 * resolvers are never made.
 *
 * The process must not have loaded the shop's joins: a `@ResolveField` class that is
 * loaded adds its field to the object types of every schema made after.
 */
export async function contextSchemas(contexts: readonly ContextDefinition[]): Promise<Map<string, GraphQLSchema>> {
  const builder = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    const factory = builder.get(GraphQLSchemaFactory);
    const schemas = new Map<string, GraphQLSchema>();
    for (const context of contexts) {
      const resolvers = [...(context.graphql?.resolvers ?? []), ...(context.graphql?.alone ?? [])];
      if (resolvers.length === 0) continue;
      schemas.set(context.name, lexicographicSortSchema(reachableOnly(await factory.create(resolvers))));
    }
    return schemas;
  } finally {
    await builder.close();
  }
}
