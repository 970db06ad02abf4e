import { describe, expect, it } from '@jest/globals';
import { CONTRACTS } from '@agora/contracts';
import { ContractRegistry } from '@agora/messaging';
import type { RecordedEvent } from '@agora/event-sourcing';
import type { OrderEvent } from '../domain/order.js';
import { OrderOutboundMapping } from './order-outbound.mapping.js';

const orderId = '0b7a5c1e-4a8e-4d8e-9d43-1f6f2a6f3c55';
const at = '2026-11-26T10:00:00.000Z';
const lines = [{ sku: 'SHIRT', quantity: 2, unitPriceCents: 1999 }];
const metadata = { messageId: 'm-1', correlationId: 'c', causationId: 'c', occurredAt: at, schemaVersion: 1 };
const recorded = (event: OrderEvent) => ({ ...event, metadata, streamName: `order-${orderId}`, revision: 0, position: { commit: 1, prepare: 1 }, recordedAt: new Date() }) as unknown as RecordedEvent;
const mapping = new OrderOutboundMapping();

describe('order outbound mapping', () => {
  it('publishes a placed order without its payment token', () => {
    const [message] = mapping.map(
      recorded({ type: 'order.placed.v1', data: { orderId, customerId: 'c-1', lines, currency: 'EUR', totalCents: 3998, paymentToken: 'tok_visa', requestHash: 'h', at } }),
    );
    expect(message).toEqual({ type: 'order.order-placed.v1', key: orderId, data: { orderId, customerId: 'c-1', lines, totalCents: 3998, currency: 'EUR' } });
    expect(JSON.stringify(message)).not.toMatch(/tok_visa/);
    expect(ContractRegistry.of(CONTRACTS).parse({ ...message!, metadata }).ok).toBe(true);
  });

  it('publishes confirmed, rejected and cancelled orders as their contract events', () => {
    const messages = [
      recorded({ type: 'order.confirmed.v1', data: { orderId, customerId: 'c-1', lines, currency: 'EUR', totalCents: 3998, at } }),
      recorded({ type: 'order.rejected.v1', data: { orderId, reason: 'out-of-stock', at } }),
      recorded({ type: 'order.cancelled.v1', data: { orderId, at } }),
    ].flatMap((event) => mapping.map(event));
    expect(messages).toEqual([
      { type: 'order.order-confirmed.v1', key: orderId, data: { orderId, customerId: 'c-1', lines, totalCents: 3998, currency: 'EUR' } },
      { type: 'order.order-rejected.v1', key: orderId, data: { orderId, reason: 'out-of-stock' } },
      { type: 'order.order-cancelled.v1', key: orderId, data: { orderId } },
    ]);
    for (const message of messages) expect(ContractRegistry.of(CONTRACTS).parse({ ...message, metadata })).toMatchObject({ ok: true });
  });

  it('keeps a cancellation request private', () => {
    expect(mapping.map(recorded({ type: 'order.cancellation-requested.v1', data: { orderId, at } }))).toEqual([]);
  });
});
