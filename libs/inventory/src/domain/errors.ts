/**
 * Inventory's domain errors: a command the current state does not allow. Nothing is
 * written when one is thrown; the HTTP layer maps them to 4xx (inventory-error.filter.ts),
 * the inbound message handler lets them surface (retried, then a visible dead letter).
 */
export abstract class InventoryError extends Error {}

export class ProductAlreadyExists extends InventoryError {
  override readonly name = 'ProductAlreadyExists';
  constructor(readonly sku: string) {
    super(`A product with sku ${sku} already exists.`);
  }
}

export class ProductNotFound extends InventoryError {
  override readonly name = 'ProductNotFound';
  constructor(readonly sku: string) {
    super(`There is no product with sku ${sku}.`);
  }
}

/** A quantity, price or stock level that is not a whole number in range. */
export class InvalidQuantity extends InventoryError {
  override readonly name = 'InvalidQuantity';
  constructor(
    readonly field: string,
    readonly value: number,
    readonly rule: string,
  ) {
    super(`${field} must be ${rule}, got ${value}.`);
  }
}

/** Not enough stock on hand for an order: the reason a reservation is rejected. */
export class InsufficientStock extends InventoryError {
  override readonly name = 'InsufficientStock';
  constructor(
    readonly sku: string,
    readonly orderId: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super(`Order ${orderId} asks for ${requested} of ${sku}, but only ${available} are available.`);
  }
}

/** Sold goods cannot be put back on the shelf by releasing the reservation. */
export class ReservationAlreadyCommitted extends InventoryError {
  override readonly name = 'ReservationAlreadyCommitted';
  constructor(readonly orderId: string) {
    super(`The reservation of order ${orderId} is already committed and cannot be released.`);
  }
}

/** Only a reservation that holds stock can be committed. */
export class ReservationNotCommittable extends InventoryError {
  override readonly name = 'ReservationNotCommittable';
  constructor(
    readonly orderId: string,
    readonly status: string,
  ) {
    super(`The reservation of order ${orderId} is ${status} and cannot be committed.`);
  }
}

/** The same order id asked for other lines than its first request: a bug on the sender's side. */
export class ConflictingReservationRequest extends InventoryError {
  override readonly name = 'ConflictingReservationRequest';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} already requested a reservation of other lines.`);
  }
}
