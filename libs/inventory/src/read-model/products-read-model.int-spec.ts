import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { readSideForTest, type ReadSideForTest } from '../../../testing/src/read-models.js';
import { CommandHandler, requestContext, streamName, withMetadata, type GlobalPosition, type PostgresEventStore } from '@agora/event-sourcing';
import { ProjectionRunner } from '@agora/projections';
import { PRODUCT_CATEGORY, productDecider, type ProductEvent } from '../domain/product.js';
import { ProductRow } from './product.row.js';
import { inventoryReadModel } from './inventory-read-model.js';

describe('the products read model in PostgreSQL', () => {
  let side: ReadSideForTest;
  let store: PostgresEventStore;
  let readModels: DataSource;

  beforeAll(async () => {
    side = await readSideForTest('inventory_read_model', inventoryReadModel);
    ({ store, readModels } = side);
  });
  afterAll(() => side.close());

  /** The product's row once the projection has applied the log up to `position`. */
  async function rowOnceProjected(position: GlobalPosition, sku: string): Promise<ProductRow> {
    const runner = new ProjectionRunner(readModels, store, inventoryReadModel.projections[0]!);
    runner.start();
    expect(await runner.waitFor(position, 20_000)).toBe(true);
    await runner.stop();
    return { ...(await readModels.getRepository(ProductRow).findOneByOrFail({ sku })) };
  }

  it('is created by its migration and shows the stock as the product stream has it', async () => {
    const commands = new CommandHandler(store);
    const stream = streamName(PRODUCT_CATEGORY, 'MUG');
    await commands.handle(productDecider, stream, { type: 'add-product', sku: 'MUG', name: 'Mug', priceCents: 850, currency: 'EUR', initialStock: 5 }, requestContext());
    await commands.handle(productDecider, stream, { type: 'reserve-stock', sku: 'MUG', orderId: 'o-1', quantity: 2 }, requestContext());
    const { position, state } = await commands.handle(productDecider, stream, { type: 'sell-stock', sku: 'MUG', orderId: 'o-1' }, requestContext());

    expect(await rowOnceProjected(position!, 'MUG')).toEqual({ sku: 'MUG', name: 'Mug', priceCents: 850, currency: 'EUR', available: 3, reserved: 0, sold: 2 });
    expect(state).toMatchObject({ available: 3, reserved: 0, sold: 2 });
  });

  it('keeps stock levels past 2^31 units exactly: stock is added any number of times', async () => {
    const commands = new CommandHandler(store);
    const stream = streamName(PRODUCT_CATEGORY, 'BOLT');
    await commands.handle(productDecider, stream, { type: 'add-product', sku: 'BOLT', name: 'Bolt', priceCents: 100_000_000, currency: 'EUR', initialStock: 1_000_000 }, requestContext());
    // 2,200 of the largest additions a request may make, as the decider records them.
    const addition: ProductEvent = { type: 'inventory.stock-added.v1', data: { sku: 'BOLT', quantity: 1_000_000 } };
    await store.appendToStream(stream, Array.from({ length: 2_200 }, () => withMetadata(addition, requestContext(), new Date())), 'stream-exists');
    await commands.handle(productDecider, stream, { type: 'reserve-stock', sku: 'BOLT', orderId: 'o-1', quantity: 10_000 }, requestContext());
    const { position, state } = await commands.handle(productDecider, stream, { type: 'sell-stock', sku: 'BOLT', orderId: 'o-1' }, requestContext());

    expect(await rowOnceProjected(position!, 'BOLT')).toEqual({ sku: 'BOLT', name: 'Bolt', priceCents: 100_000_000, currency: 'EUR', available: 2_200_990_000, reserved: 0, sold: 10_000 });
    expect(state).toMatchObject({ available: 2_200_990_000, reserved: 0, sold: 10_000 });
  });
});
