import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { readSideForTest, type ReadSideForTest } from '../../../testing/src/read-models.js';
import { CommandHandler, requestContext, streamName, type PostgresEventStore } from '@agora/event-sourcing';
import { ProjectionRunner } from '@agora/projections';
import { ORDER_CATEGORY, orderDecider } from '../domain/order.js';
import { OrderRow } from './order.row.js';
import { orderReadModel } from './order-read-model.js';

describe('the orders read model in PostgreSQL', () => {
  let side: ReadSideForTest;
  let store: PostgresEventStore;
  let readModels: DataSource;

  beforeAll(async () => {
    side = await readSideForTest('order_read_model', orderReadModel);
    ({ store, readModels } = side);
  });
  afterAll(() => side.close());

  it('is created by its migration and filled from the order streams', async () => {
    const commands = new CommandHandler(store);
    const orderId = randomUUID();
    const stream = streamName(ORDER_CATEGORY, orderId);
    const at = '2026-11-26T10:00:00.000Z';
    const lines = [{ sku: 'MUG', quantity: 2, unitPriceCents: 850, currency: 'EUR' }];
    await commands.handle(orderDecider, stream, { type: 'place-order', orderId, customerId: 'c-9', lines, paymentToken: 'tok_visa', requestHash: 'h', at }, requestContext());
    const { position } = await commands.handle(orderDecider, stream, { type: 'reject-order', orderId, reason: 'out-of-stock', at: '2026-11-26T10:00:01.000Z' }, requestContext());

    const runner = new ProjectionRunner(readModels, store, orderReadModel.projections[0]!);
    runner.start();
    expect(await runner.waitFor(position!, 10_000)).toBe(true);
    await runner.stop();

    const row = await readModels.getRepository(OrderRow).findOneByOrFail({ orderId });
    expect({ ...row }).toEqual({
      orderId,
      customerId: 'c-9',
      status: 'REJECTED',
      reason: 'out-of-stock',
      lines: [{ sku: 'MUG', quantity: 2, unitPriceCents: 850 }],
      totalCents: 1700,
      currency: 'EUR',
      createdAt: new Date(at),
      updatedAt: new Date('2026-11-26T10:00:01.000Z'),
    });
  });
});
