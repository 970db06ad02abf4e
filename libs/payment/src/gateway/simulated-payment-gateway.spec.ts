import { describe, expect, it } from '@jest/globals';
import { SimulatedPaymentGateway } from './simulated-payment-gateway.js';

const orderId = '0f6b3f1e-3c9a-4d8e-9b7a-1c2d3e4f5a6b';
const charge = (token: string, idempotencyKey = `key-${token}`) => ({ orderId, amountCents: 1999, currency: 'EUR', token, idempotencyKey });

/** Resolves to 'no answer' when the promise has not settled within `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms))]);

describe('SimulatedPaymentGateway', () => {
  it('approves tok_visa with a charge id and moves the money once', async () => {
    const gateway = new SimulatedPaymentGateway();
    const answer = await gateway.charge(charge('tok_visa'));
    expect(answer).toEqual({ outcome: 'approved', chargeId: expect.stringMatching(/^ch_/) });
    expect(gateway.charges).toEqual([{ chargeId: (answer as { chargeId: string }).chargeId, orderId, amountCents: 1999, currency: 'EUR', refundedCents: 0 }]);
  });

  it('declines tok_chargeDeclined as card-declined', async () => {
    const gateway = new SimulatedPaymentGateway();
    expect(await gateway.charge(charge('tok_chargeDeclined'))).toEqual({ outcome: 'declined', reason: 'card-declined' });
    expect(gateway.charges).toEqual([]);
  });

  it('declines any other token as invalid-token', async () => {
    const gateway = new SimulatedPaymentGateway();
    expect(await gateway.charge(charge('tok_mastercard'))).toEqual({ outcome: 'declined', reason: 'invalid-token' });
  });

  it('never answers tok_timeout by default', async () => {
    const gateway = new SimulatedPaymentGateway();
    expect(await within(gateway.charge(charge('tok_timeout')), 50)).toBe('no answer');
    expect(gateway.charges).toEqual([]);
  });

  it('approves tok_timeout late when lateAnswerAfterMs is set', async () => {
    const gateway = new SimulatedPaymentGateway({ lateAnswerAfterMs: 60 });
    const answer = gateway.charge(charge('tok_timeout'));
    expect(await within(answer, 20)).toBe('no answer');
    expect(await answer).toEqual({ outcome: 'approved', chargeId: expect.stringMatching(/^ch_/) });
    expect(gateway.charges).toHaveLength(1);
  });

  it('takes the configured latency to answer', async () => {
    const gateway = new SimulatedPaymentGateway({ latencyMs: 80 });
    const started = Date.now();
    await gateway.charge(charge('tok_visa'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('answers a repeated idempotency key with the first answer and charges once, also while the first is on its way', async () => {
    const gateway = new SimulatedPaymentGateway({ latencyMs: 20 });
    const [first, concurrent] = await Promise.all([gateway.charge(charge('tok_visa', 'order-1')), gateway.charge(charge('tok_visa', 'order-1'))]);
    const later = await gateway.charge(charge('tok_visa', 'order-1'));
    expect(concurrent).toEqual(first);
    expect(later).toEqual(first);
    expect(gateway.charges).toHaveLength(1);
    expect(gateway.chargeRequests.map((r) => r.idempotencyKey)).toEqual(['order-1', 'order-1', 'order-1']);
  });

  it('charges again under a new idempotency key', async () => {
    const gateway = new SimulatedPaymentGateway();
    await gateway.charge(charge('tok_visa', 'a'));
    await gateway.charge(charge('tok_visa', 'b'));
    expect(gateway.charges).toHaveLength(2);
  });

  it('refunds a charge once per idempotency key', async () => {
    const gateway = new SimulatedPaymentGateway();
    const answer = await gateway.charge(charge('tok_visa'));
    const chargeId = (answer as { chargeId: string }).chargeId;
    const first = await gateway.refund({ chargeId, amountCents: 1999, idempotencyKey: 'refund-1' });
    const again = await gateway.refund({ chargeId, amountCents: 1999, idempotencyKey: 'refund-1' });
    expect(first.refundId).toMatch(/^re_/);
    expect(again).toEqual(first);
    expect(gateway.refunds).toEqual([{ refundId: first.refundId, chargeId, amountCents: 1999 }]);
    expect(gateway.charges[0]!.refundedCents).toBe(1999);
  });

  it('refuses to refund an unknown charge or more than was charged', async () => {
    const gateway = new SimulatedPaymentGateway();
    await expect(gateway.refund({ chargeId: 'ch_nope', amountCents: 1, idempotencyKey: 'x' })).rejects.toThrow(/No charge ch_nope/);
    const { chargeId } = (await gateway.charge(charge('tok_visa'))) as { chargeId: string };
    await expect(gateway.refund({ chargeId, amountCents: 2000, idempotencyKey: 'y' })).rejects.toThrow(/exceed/);
  });

  it('gives the same charge and refund ids to the same requests after a restart, and refunds a charge it made before', async () => {
    const before = new SimulatedPaymentGateway();
    const charged = await before.charge(charge('tok_visa', 'order-1'));
    const afterRestart = new SimulatedPaymentGateway();
    expect(await afterRestart.charge(charge('tok_visa', 'order-1'))).toEqual(charged);
    expect(await new SimulatedPaymentGateway().charge(charge('tok_visa', 'order-2'))).not.toEqual(charged);

    const { chargeId } = charged as { chargeId: string };
    const refunded = await new SimulatedPaymentGateway().refund({ chargeId, amountCents: 1999, idempotencyKey: 'order-1:refund' });
    expect(refunded.refundId).toMatch(/^re_[0-9a-f]{32}$/);
    expect(await new SimulatedPaymentGateway().refund({ chargeId, amountCents: 1999, idempotencyKey: 'order-1:refund' })).toEqual(refunded);
  });
});
