import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CommandHandler, PostgresEventStore, requestContext, Upcasters, UpcastingEventStore, withMetadata, type EventStore } from '@agora/event-sourcing';
import { createTestDatabase } from '@agora/testing';
import { paymentDecider } from './domain/payment.js';
import { PaymentOutboundMapping } from './integration/payment-outbound.mapping.js';
import { paymentContext } from './payment.context.js';

// A payment stored when its events had the names of the messages they are published as.
describe('payment events stored under their former names', () => {
  let pool: pg.Pool;
  let stored: PostgresEventStore;
  let store: EventStore;
  const orderId = randomUUID();
  const stream = `payment-${orderId}`;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('payment_event_names'), max: 5 });
    stored = new PostgresEventStore(pool);
    await stored.migrate();
    await stored.appendToStream(
      stream,
      [
        { type: 'payment.charge-requested.v1', data: { orderId, amountCents: 2500, currency: 'EUR', paymentToken: 'tok_visa' } },
        { type: 'payment.payment-captured.v1', data: { orderId, chargeId: 'ch_1', amountCents: 2500, currency: 'EUR' } },
      ].map((event) => withMetadata(event, requestContext(), new Date())),
      'no-stream',
    );
    store = UpcastingEventStore.over(stored, new Upcasters(paymentContext.upcasters));
  });
  afterAll(async () => {
    await stored.close();
    await pool.end();
  });

  it('are read under their own names through the manifest\'s upcasters, and published as before', async () => {
    const events = await store.readStream(stream);
    expect(events.map((event) => event.type)).toEqual(['payment.charge-requested.v1', 'payment.captured.v1']);
    expect(events.flatMap((event) => new PaymentOutboundMapping().map(event))).toEqual([
      { type: 'payment.payment-captured.v1', key: orderId, data: { orderId, chargeId: 'ch_1', amountCents: 2500, currency: 'EUR' } },
    ]);
  });

  it('still decide: a refund of the captured charge is asked, not skipped', async () => {
    await new CommandHandler(store).handle(paymentDecider, stream, { type: 'request-refund', orderId, reason: 'cancelled' }, requestContext());
    expect((await stored.readStream(stream)).map((event) => event.type)).toEqual(['payment.charge-requested.v1', 'payment.payment-captured.v1', 'payment.refund-requested.v1']);
  });
});
