import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import pino from 'pino';
import { PostgresEventStore, requestContext } from '@agora/event-sourcing';
import { hostContexts, WiringGaps, type ContextDefinition } from '@agora/host';
import { AddProductHandler, inventoryContext } from '@agora/inventory';
import { loggerModule, parseConfig } from '@agora/platform';
import { createTestDatabase, testHost, until } from '@agora/testing';
import { SHOP_CONTEXTS } from './shop-contexts.js';

// The shop's own composition of the contexts' manifests, on real PostgreSQL with the in-process transport.
describe('the shop composed from its contexts', () => {
  const config = parseConfig({ DEMO_DATA: 'false' });
  let url: string;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    url = await createTestDatabase('shop_contexts');
    pool = new pg.Pool({ connectionString: url, max: 10 });
    store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  function start(contexts: readonly ContextDefinition[]): Promise<INestApplicationContext> {
    const hosted = hostContexts(contexts, { app: 'shop', config, transport: 'in-process' });
    return NestFactory.createApplicationContext(
      {
        module: class ShopUnderTest {},
        imports: [loggerModule(pino({ level: 'silent' })), ...testHost({ url, eventStore: store, pool, readModels: hosted.readModels, schemas: hosted.schemas }), ...hosted.imports],
        providers: hosted.providers,
      },
      { logger: false, abortOnError: false },
    );
  }

  it('starts with every context, and one context\'s message reaches the context that consumes it', async () => {
    const app = await start(SHOP_CONTEXTS);
    try {
      // inventory.product-listed.v1: inventory's relay, the in-process transport, order's catalog.
      await app.get(AddProductHandler).execute({ sku: 'WIRED-MUG', name: 'Wired mug', priceCents: 1250, currency: 'EUR', initialStock: 3 }, requestContext());
      const priced = async () => (await pool.query('SELECT price_cents FROM order_catalog.products WHERE sku = $1', ['WIRED-MUG'])).rows;
      await until(async () => (await priced()).length > 0);
      expect(await priced()).toEqual([{ price_cents: '1250' }]);
    } finally {
      await app.close();
    }
  });

  it('does not start without a context whose messages another consumes, and names each message that would never arrive', async () => {
    const failure = await start(SHOP_CONTEXTS.filter((context) => context !== inventoryContext)).then(
      async (app) => {
        await app.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WiringGaps);
    expect((failure as WiringGaps).gaps).toEqual([
      'order consumes inventory.product-listed.v1, which no context of this process publishes: it would never arrive.',
      'order consumes inventory.stock-reserved.v1, which no context of this process publishes: it would never arrive.',
      'order consumes inventory.stock-reservation-rejected.v1, which no context of this process publishes: it would never arrive.',
    ]);
    expect((failure as WiringGaps).message).toContain('shop does not start');
  });
});
