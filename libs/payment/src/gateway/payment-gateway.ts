/** What a charge asks of the gateway. The idempotency key makes a resent request safe: same key, same answer, one charge. */
export interface ChargeRequest {
  readonly orderId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The card token the customer's browser got from the provider (e.g. `tok_visa`). */
  readonly token: string;
  readonly idempotencyKey: string;
}

export type ChargeOutcome = { readonly outcome: 'approved'; readonly chargeId: string } | { readonly outcome: 'declined'; readonly reason: string };

export interface RefundRequest {
  readonly chargeId: string;
  readonly amountCents: number;
  readonly idempotencyKey: string;
}

/**
 * The port to a card payment provider. Both calls may take long or never answer, and
 * throw on transport failures (the caller retries with the same idempotency key).
 */
export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  refund(request: RefundRequest): Promise<{ readonly refundId: string }>;
}

/** Nest injection token for the `PaymentGateway` port. */
export const PAYMENT_GATEWAY = Symbol('PaymentGateway');
