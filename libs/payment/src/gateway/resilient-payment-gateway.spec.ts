import { describe, expect, it } from '@jest/globals';
import { callPolicy, type CallPolicyOptions } from '@agora/platform';
import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { until } from '@agora/testing';
import { ResilientPaymentGateway } from './resilient-payment-gateway.js';
import { SimulatedPaymentGateway, TEST_TOKENS, type SimulatedPaymentGatewayOptions } from './simulated-payment-gateway.js';

// The policy in front of the simulated provider: short times, so that the tests are quick.
const POLICY: CallPolicyOptions = { name: 'the simulator', target: 'simulator', timeoutMs: 50, retries: 2, retryDelayMs: 10, maxRetryDelayMs: 20, breakAfter: 100, halfOpenAfterMs: 200, bulkhead: { limit: 10, queue: 10 } };

function gatewayWith(policy: Partial<CallPolicyOptions> = {}, simulator: SimulatedPaymentGatewayOptions = {}) {
  const provider = new SimulatedPaymentGateway(simulator);
  return { provider, gateway: new ResilientPaymentGateway(provider, callPolicy({ ...POLICY, ...policy })) };
}

const charge = (orderId: string, token: string = TEST_TOKENS.approved) => ({ orderId, amountCents: 2500, currency: 'EUR', token, idempotencyKey: orderId });

describe('the payment gateway behind the resilience policy', () => {
  it('abandons a call that does not answer in time and asks again with the same idempotency key, then gives up', async () => {
    const { provider, gateway } = gatewayWith();
    await expect(gateway.charge(charge('order-1', TEST_TOKENS.timeout))).rejects.toBeInstanceOf(TaskCancelledError);
    // The first attempt and two retries, one key: no money moved.
    expect(provider.chargeRequests.map((request) => request.idempotencyKey)).toEqual(['order-1', 'order-1', 'order-1']);
    expect(provider.charges).toEqual([]);
  });

  it('takes the answer that comes late to a retry, and moves the money once', async () => {
    // The provider answers after 80 ms; each attempt waits 50.
    const { provider, gateway } = gatewayWith({ retries: 4 }, { lateAnswerAfterMs: 80 });
    const outcome = await gateway.charge(charge('order-2', TEST_TOKENS.timeout));
    expect(outcome).toEqual({ outcome: 'approved', chargeId: expect.stringMatching(/^ch_/) });
    expect(provider.chargeRequests.length).toBeGreaterThan(1);
    expect(provider.charges.map((moved) => moved.orderId)).toEqual(['order-2']);
  });

  it('opens its breaker after failures in a row: then calls fail at once without reaching the provider, until one gets through again', async () => {
    const { provider, gateway } = gatewayWith({ retries: 0, breakAfter: 2 });
    for (const orderId of ['slow-1', 'slow-2']) await expect(gateway.charge(charge(orderId, TEST_TOKENS.timeout))).rejects.toBeInstanceOf(TaskCancelledError);
    const asked = provider.chargeRequests.length;
    await expect(gateway.charge(charge('order-3'))).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(provider.chargeRequests.length).toBe(asked);

    // Half-open after 200 ms: a call goes through, succeeds, and closes the breaker.
    await until(async () => (await gateway.charge(charge('order-3')).catch(() => undefined)) !== undefined, 2000);
    expect(await gateway.charge(charge('order-4'))).toMatchObject({ outcome: 'approved' });
    expect(provider.charges.map((moved) => moved.orderId)).toEqual(['order-3', 'order-4']);
  });

  it('refuses a call beyond its bulkhead at once', async () => {
    const { provider, gateway } = gatewayWith({ retries: 0, timeoutMs: 1000, bulkhead: { limit: 1, queue: 0 } });
    const stuck = gateway.charge(charge('stuck', TEST_TOKENS.timeout));
    await expect(gateway.charge(charge('order-5'))).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(provider.chargeRequests.map((request) => request.orderId)).toEqual(['stuck']);
    await expect(stuck).rejects.toBeInstanceOf(TaskCancelledError);
  });
});
