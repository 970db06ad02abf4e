import { InsufficientStock, ProductNotFound } from './errors.js';
import { productDecider, type Product, type ProductEvent } from './product.js';
import { reservationDecider, type RejectionReason, type Reservation, type ReservationEvent, type StockLine } from './reservation.js';

/** What reserving an order's lines at once writes: the reservation's events, and each line's product's, in the order of the lines. */
export interface ReservedAtOnce {
  readonly reservation: readonly ReservationEvent[];
  readonly products: readonly (readonly ProductEvent[])[];
}

/**
 * A new reservation decided in one go, for a store that writes every stream of it in one
 * commit: the request, a hold on every line's product and the acceptance; or, when a
 * line cannot be held, the request and its rejection, holding nothing. No crash can fall
 * between these steps, so none is left to resume (the reserve-stock use case drives them
 * one by one where a store cannot).
 *
 * `lines` must be as `normalizeLines` gives them, and `products` the states of their
 * products in the same order. `undefined` when the reservation is not new (a redelivery,
 * or a release that came first), or a product already settled this order: then the steps
 * take it from where it is.
 */
export function reserveAtOnce(orderId: string, lines: readonly StockLine[], reservation: Reservation, products: readonly Product[]): ReservedAtOnce | undefined {
  if (reservation.status !== 'none') return undefined;
  const requested = reservationDecider.decide({ type: 'request-reservation', orderId, lines }, reservation);
  const open = requested.reduce(reservationDecider.evolve, reservation);
  const productEvents: (readonly ProductEvent[])[] = [];
  const holds: number[] = [];
  for (const [i, line] of lines.entries()) {
    const product = products[i]!;
    let reserved: readonly ProductEvent[];
    try {
      reserved = productDecider.decide({ type: 'reserve-stock', sku: line.sku, orderId, quantity: line.quantity }, product);
    } catch (error) {
      const reason = refusalOf(error);
      if (!reason) throw error;
      const rejected = reservationDecider.decide({ type: 'reject-reservation', orderId, sku: line.sku, reason }, open);
      return { reservation: [...requested, ...rejected], products: lines.map(() => []) };
    }
    const after = reserved.reduce(productDecider.evolve, product);
    const hold = after.status === 'listed' ? after.holds.get(orderId) : undefined;
    if (!hold || reserved.length === 0) return undefined;
    productEvents.push(reserved);
    holds.push(hold.number);
  }
  const accepted = reservationDecider.decide({ type: 'accept-reservation', orderId, holds }, open);
  return { reservation: [...requested, ...accepted], products: productEvents };
}

/**
 * The commit of a reserved reservation decided in one go, for a store that writes every
 * stream of it in one commit: the commit, and the sale of each line's accepted hold on
 * its product (`products` in the order of the reservation's lines). `undefined` when the
 * reservation is not reserved (committed already, or not committable) or a product
 * refuses the sale: then the steps take it, and say why.
 */
export function commitAtOnce(orderId: string, reservation: Reservation, products: readonly Product[]): ReservedAtOnce | undefined {
  if (reservation.status !== 'reserved') return undefined;
  const committed = reservationDecider.decide({ type: 'commit-reservation', orderId }, reservation);
  const sold: (readonly ProductEvent[])[] = [];
  for (const [i, { sku, hold }] of reservation.lines.entries()) {
    try {
      sold.push(productDecider.decide(hold === undefined ? { type: 'sell-stock', sku, orderId } : { type: 'sell-stock', sku, orderId, hold }, products[i]!));
    } catch {
      return undefined;
    }
  }
  return { reservation: committed, products: sold };
}

/** The reason a line is refused, for the errors that refuse one (for the steps' holds too). */
export function refusalOf(error: unknown): RejectionReason | undefined {
  if (error instanceof ProductNotFound) return 'unknown-sku';
  if (error instanceof InsufficientStock) return 'insufficient-stock';
  return undefined;
}
