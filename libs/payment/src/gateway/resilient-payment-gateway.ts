import { Histogram } from 'prom-client';
import { failureOf, inSpan, LATENCY_BUCKETS, SpanKind, timed, type CallPolicy, type SpanOptions } from '@agora/platform';
import type { ChargeOutcome, ChargeRequest, PaymentGateway, RefundRequest } from './payment-gateway.js';

const callDuration = new Histogram({
  name: 'agora_payment_gateway_call_duration_seconds',
  help: "Calls to the payment provider, retries included, by call (charge, refund) and outcome (approved, declined, refunded; or timeout, circuit_open, bulkhead_full, failed), and how long each took.",
  labelNames: ['call', 'outcome'],
  buckets: LATENCY_BUCKETS,
});

/** A call to the provider, retries included, as a span of the work that asks for it. */
const PROVIDER_CALL: SpanOptions = { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payment-provider' } };

/**
 * A payment gateway whose every call goes through a resilience policy (`callPolicy`): a
 * timeout per attempt, retries with backoff and jitter, a circuit breaker and a bulkhead.
 * Charges and refunds carry an idempotency key, so an attempt that timed out may be asked
 * again: the provider answers it as the first.
 */
export class ResilientPaymentGateway implements PaymentGateway {
  constructor(
    private readonly inner: PaymentGateway,
    private readonly policy: CallPolicy,
  ) {}

  charge(request: ChargeRequest): Promise<ChargeOutcome> {
    return inSpan('payment-provider charge', PROVIDER_CALL, () =>
      timed(callDuration, { call: 'charge' }, () => this.policy.execute(() => this.inner.charge(request)), { ok: (answer) => answer.outcome, failed: failureOf }),
    );
  }

  refund(request: RefundRequest): Promise<{ refundId: string }> {
    return inSpan('payment-provider refund', PROVIDER_CALL, () =>
      timed(callDuration, { call: 'refund' }, () => this.policy.execute(() => this.inner.refund(request)), { ok: 'refunded', failed: failureOf }),
    );
  }
}
