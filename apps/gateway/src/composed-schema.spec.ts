import { describe, expect, it } from '@jest/globals';
import type { Executor } from '@graphql-tools/utils';
import { execute, parse, print, printSchema, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { composedSchema } from './composed-schema.js';
import type { ContextClient } from './context-clients.js';
import { contextSchemas } from './context-schemas.js';
import { GATEWAY_CONTEXTS } from './gateway-contexts.js';

/** Stands in for the apps: answers each call from `answer`, and keeps what it was asked. */
function fakeApps(schemas: ReadonlyMap<string, GraphQLSchema>, answer: (service: string, query: string, variables: Record<string, unknown>) => Record<string, unknown>) {
  const calls: { service: string; query: string; variables: Record<string, unknown> }[] = [];
  const clients = new Map(
    [...schemas.keys()].map((service) => {
      const executor = (({ document, variables }) => {
        const query = print(document);
        calls.push({ service, query, variables: variables ?? {} });
        return { data: answer(service, query, variables ?? {}) };
      }) as Executor;
      return [service, { service, executor } as unknown as ContextClient];
    }),
  );
  return { clients, calls };
}

describe('the gateway’s composed schema', () => {
  it('is the shop’s, docs/schema.graphql', async () => {
    const schemas = await contextSchemas(GATEWAY_CONTEXTS);
    const { clients } = fakeApps(schemas, () => ({}));
    expect(`${printSchema(composedSchema(schemas, clients))}\n`).toBe(readFileSync('docs/schema.graphql', 'utf8'));
  });

  it('answers a root field from its app, and a join from the other app, the products of all lines in one call', async () => {
    const schemas = await contextSchemas(GATEWAY_CONTEXTS);
    const { clients, calls } = fakeApps(schemas, (service, query) => {
      if (service === 'order') {
        return { order: { orderId: 'o-1', lines: [{ sku: 'MUG', __typename: 'OrderLine' }, { sku: 'LAMP', __typename: 'OrderLine' }], __typename: 'Order' } };
      }
      if (service === 'inventory') {
        // Batched: one aliased field per line.
        const aliases = [...query.matchAll(/(\w+): product\(sku: \$(\w+)\)/g)];
        return Object.fromEntries(aliases.map(([, alias]) => [alias, { name: `name of ${alias}`, __typename: 'Product' }]));
      }
      return { payments: { charges: [], refunds: [], __typename: 'Payments' } };
    });
    const schema = composedSchema(schemas, clients);
    const result = await execute({ schema, document: parse('{ order(id: "o-1") { orderId lines { sku product { name } } payments { charges { status } } } }'), contextValue: {} });
    expect(result.errors).toBeUndefined();
    const order = (result.data as { order: { lines: { product: { name: string } }[]; payments: unknown } }).order;
    expect(order.lines.map((line) => line.product.name)).toHaveLength(2);
    expect(order.payments).toEqual({ charges: [] });
    expect(calls.map((call) => call.service).sort()).toEqual(['inventory', 'order', 'payment']);
    const inventory = calls.find((call) => call.service === 'inventory')!;
    expect(Object.values(inventory.variables).sort()).toEqual(['LAMP', 'MUG']);
  });
});
