import { describe, expect, it } from '@jest/globals';
import { CONTRACTS } from '@agora/contracts';
import { ContractRegistry } from '@agora/messaging';
import type { RecordedEvent } from '@agora/event-sourcing';
import type { PaymentEvent } from '../domain/payment.js';
import { PaymentOutboundMapping } from './payment-outbound.mapping.js';

const orderId = '9d3c1a2b-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
const mapping = new PaymentOutboundMapping();
const metadata = {
  messageId: 'm-1',
  correlationId: 'c-1',
  causationId: 'c-1',
  occurredAt: '2026-11-02T10:00:00.000Z',
  schemaVersion: 1,
};
const recorded = (event: PaymentEvent): RecordedEvent =>
  ({ ...event, metadata, streamName: `payment-${orderId}`, revision: 0, position: { commit: 1, prepare: 1 }, recordedAt: new Date() }) as RecordedEvent;

/** As a consumer receives it: validated against the contract. */
const published = (event: PaymentEvent) =>
  mapping.map(recorded(event)).map((message) => {
    const parsed = ContractRegistry.of(CONTRACTS).parse({ ...message, metadata });
    if (!parsed.ok) throw new Error(parsed.error);
    return { type: parsed.message.type, key: parsed.message.key, data: parsed.message.data };
  });

describe('payment outbound mapping', () => {
  it('reads the payment category under the name payment', () => {
    expect(mapping.name).toBe('payment');
    expect(mapping.categories).toEqual(['payment']);
  });

  it('publishes a capture', () =>
    expect(published({ type: 'payment.captured.v1', data: { orderId, chargeId: 'ch_1', amountCents: 500, currency: 'EUR' } })).toEqual([
      { type: 'payment.payment-captured.v1', key: orderId, data: { orderId, chargeId: 'ch_1', amountCents: 500, currency: 'EUR' } },
    ]));

  it('publishes a decline with its reason, not the amount', () =>
    expect(published({ type: 'payment.declined.v1', data: { orderId, amountCents: 500, currency: 'EUR', reason: 'card-declined' } })).toEqual([
      { type: 'payment.payment-declined.v1', key: orderId, data: { orderId, reason: 'card-declined' } },
    ]));

  it('publishes a refund without the gateway’s refund id', () =>
    expect(
      published({ type: 'payment.refunded.v1', data: { orderId, chargeId: 'ch_1', refundId: 're_1', amountCents: 500, currency: 'EUR' } }),
    ).toEqual([{ type: 'payment.payment-refunded.v1', key: orderId, data: { orderId, chargeId: 'ch_1', amountCents: 500, currency: 'EUR' } }]));

  it('publishes that no refund was needed', () =>
    expect(published({ type: 'payment.refund-skipped.v1', data: { orderId, reason: 'payment-timeout' } })).toEqual([
      { type: 'payment.refund-not-needed.v1', key: orderId, data: { orderId } },
    ]));

  it('keeps requests and the card token inside the context', () => {
    expect(published({ type: 'payment.charge-requested.v1', data: { orderId, amountCents: 500, currency: 'EUR', paymentToken: 'tok_visa' } })).toEqual([]);
    expect(published({ type: 'payment.refund-requested.v1', data: { orderId, reason: 'cancelled' } })).toEqual([]);
  });

  it('ignores events it does not know', () => {
    expect(mapping.map({ ...recorded({ type: 'payment.refund-requested.v1', data: { orderId, reason: 'x' } }), type: 'payment.something-else.v1' })).toEqual([]);
  });
});
