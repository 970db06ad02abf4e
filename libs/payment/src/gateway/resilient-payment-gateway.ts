import type { CallPolicy } from '@agora/platform';
import type { ChargeOutcome, ChargeRequest, PaymentGateway, RefundRequest } from './payment-gateway.js';

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
    return this.policy.execute(() => this.inner.charge(request));
  }

  refund(request: RefundRequest): Promise<{ refundId: string }> {
    return this.policy.execute(() => this.inner.refund(request));
  }
}
