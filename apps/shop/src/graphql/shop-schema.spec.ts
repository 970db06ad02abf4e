import { describe, expect, it } from '@jest/globals';
import { reachableOnly } from '@agora/host';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { readFileSync, writeFileSync } from 'node:fs';
import { shopGraphql } from './shop-graphql.js';

/** The public GraphQL schema: the shop's, and the distributed gateway's (see apps/gateway). */
export const SCHEMA_FILE = 'docs/schema.graphql';

describe('the shop’s GraphQL schema', () => {
  it(`is ${SCHEMA_FILE} (UPDATE_SCHEMA=1 writes it after a change)`, async () => {
    const builder = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
    const schema = await builder.get(GraphQLSchemaFactory).create([...shopGraphql().resolvers]);
    await builder.close();
    const printed = `${printSchema(lexicographicSortSchema(reachableOnly(schema)))}\n`;
    if (process.env['UPDATE_SCHEMA'] === '1') writeFileSync(SCHEMA_FILE, printed);
    expect(printed).toBe(readFileSync(SCHEMA_FILE, 'utf8'));
  });
});
