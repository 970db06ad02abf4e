/**
 * Order's domain errors: a command the current state does not allow. Nothing is written
 * when one is thrown. The HTTP layer maps them to 4xx (order-error.filter.ts); the
 * inbound message handlers let them surface (retried, then a visible dead letter).
 */
export abstract class OrderError extends Error {}

export class OrderNotFound extends OrderError {
  override readonly name = 'OrderNotFound';
  constructor(readonly orderId: string) {
    super(`There is no order ${orderId}.`);
  }
}

/** The order is past the state in which the command makes sense (confirm a rejected order, cancel a confirmed one). */
export class InvalidOrderTransition extends OrderError {
  override readonly name = 'InvalidOrderTransition';
  constructor(
    readonly orderId: string,
    readonly status: string,
    readonly action: string,
  ) {
    super(`Order ${orderId} is ${status} and can no longer be ${action}.`);
  }
}

/** The request itself is wrong, field by field (the API answers 400 naming each one). */
export class InvalidOrder extends OrderError {
  override readonly name = 'InvalidOrder';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** An idempotency key (hence an order id) was used before with another request. */
export class IdempotencyKeyReused extends OrderError {
  override readonly name = 'IdempotencyKeyReused';
  constructor(readonly orderId: string) {
    super(`This Idempotency-Key was already used for another request (order ${orderId}); use a new key for a new order.`);
  }
}

/** Which of a customer's limits on pending orders a new order would pass. */
export type PendingLimit = 'ORDER_MAX_PENDING_PER_CUSTOMER' | 'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER';

/**
 * The customer already holds as many pending orders, or units in pending orders, as one
 * customer may (the API answers 429 naming the limit and its value). Nothing is written.
 */
export class PendingLimitReached extends OrderError {
  override readonly name = 'PendingLimitReached';
  constructor(
    readonly limit: PendingLimit,
    readonly max: number,
    message: string,
    /** The orders counted as pending, and since when: the handler checks them before it answers. */
    readonly pending: readonly { readonly orderId: string; readonly since: string }[],
  ) {
    super(message);
  }
}
