import type { Decider, Event } from '@agora/event-sourcing';
import { ConflictingReservationRequest, ReservationAlreadyCommitted, ReservationNotCommittable } from './errors.js';

// An order's reservation across several products, all lines or none. Stream
// `reservation-<orderId>`. It records what was asked and how it ended; the stock itself is
// held on each product's stream (product.ts). The reserve-stock use case drives the steps
// in between and can resume from any of them, because every step is idempotent and every
// terminal decision is recorded here before its effects on the products.

export interface StockLine {
  readonly sku: string;
  readonly quantity: number;
}
/** A line as accepted: with the number of its hold on the product (see product.ts); absent in acceptances recorded before holds were numbered. */
export interface HeldLine extends StockLine {
  readonly hold?: number;
}
export type RejectionReason = 'insufficient-stock' | 'unknown-sku';

export type RequestReservation = { readonly type: 'request-reservation'; readonly orderId: string; readonly lines: readonly StockLine[] };
/** `holds`: the number of each line's hold, in the order of the lines. */
export type AcceptReservation = { readonly type: 'accept-reservation'; readonly orderId: string; readonly holds: readonly number[] };
export type RejectReservation = { readonly type: 'reject-reservation'; readonly orderId: string; readonly sku: string; readonly reason: RejectionReason };
export type ReleaseReservation = { readonly type: 'release-reservation'; readonly orderId: string };
export type CommitReservation = { readonly type: 'commit-reservation'; readonly orderId: string };
export type ReservationCommand = RequestReservation | AcceptReservation | RejectReservation | ReleaseReservation | CommitReservation;

export type ReservationRequested = Event<'inventory.reservation-requested.v1', { orderId: string; lines: StockLine[] }>;
/** Every line is held on its product, by the hold named in the line. */
export type ReservationAccepted = Event<'inventory.reservation-accepted.v1', { orderId: string; lines: HeldLine[] }>;
/** One line could not be held; whatever the others hold is being given back. */
export type ReservationRejected = Event<'inventory.reservation-rejected.v1', { orderId: string; sku: string; reason: RejectionReason }>;
export type ReservationReleased = Event<'inventory.reservation-released.v1', { orderId: string }>;
export type ReservationCommitted = Event<'inventory.reservation-committed.v1', { orderId: string }>;
export type ReservationEvent = ReservationRequested | ReservationAccepted | ReservationRejected | ReservationReleased | ReservationCommitted;

export type ReservationEventType = ReservationEvent['type'];
export const RESERVATION_EVENT_TYPES: readonly ReservationEventType[] = [
  'inventory.reservation-requested.v1',
  'inventory.reservation-accepted.v1',
  'inventory.reservation-rejected.v1',
  'inventory.reservation-released.v1',
  'inventory.reservation-committed.v1',
];

export type Reservation =
  | { readonly status: 'none' }
  /** Lines are being held on their products, or were when a crash interrupted it. */
  | { readonly status: 'requested' | 'reserved' | 'committed'; readonly orderId: string; readonly lines: readonly HeldLine[] }
  | { readonly status: 'rejected'; readonly orderId: string; readonly lines: readonly HeldLine[]; readonly sku: string; readonly reason: RejectionReason }
  /** `lines` is empty when the release came before any request. */
  | { readonly status: 'released'; readonly orderId: string; readonly lines: readonly HeldLine[] };

export const RESERVATION_CATEGORY = 'reservation';

/**
 * The lines in the order they are reserved in: one line per sku (quantities of a repeated
 * sku added up), sorted by sku. A fixed order means two orders that compete for the same
 * products meet on the same product first, and the loser holds nothing of the rest.
 */
export function normalizeLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

function sameLines(a: readonly StockLine[], b: readonly StockLine[]): boolean {
  return a.length === b.length && a.every((line, i) => line.sku === b[i]!.sku && line.quantity === b[i]!.quantity);
}

function decide(command: ReservationCommand, state: Reservation): ReservationEvent[] {
  const { orderId } = command;
  switch (command.type) {
    case 'request-reservation': {
      const lines = normalizeLines(command.lines);
      if (state.status === 'none') return [{ type: 'inventory.reservation-requested.v1', data: { orderId, lines } }];
      // A redelivery, or a request that arrives after its release: nothing more to record.
      if (state.lines.length > 0 && !sameLines(state.lines, lines)) throw new ConflictingReservationRequest(orderId);
      return [];
    }
    // Accept and reject record the outcome of a request still open; once it is settled
    // otherwise (e.g. released while lines were being held), the caller acts on that state.
    case 'accept-reservation': {
      if (state.status === 'none') throw new Error(`The reservation of order ${orderId} was never requested.`);
      if (state.status !== 'requested') return [];
      if (command.holds.length !== state.lines.length) throw new Error(`Order ${orderId} has ${state.lines.length} lines, not ${command.holds.length} holds.`);
      const lines = state.lines.map(({ sku, quantity }, i) => ({ sku, quantity, hold: command.holds[i]! }));
      return [{ type: 'inventory.reservation-accepted.v1', data: { orderId, lines } }];
    }
    case 'reject-reservation':
      if (state.status === 'none') throw new Error(`The reservation of order ${orderId} was never requested.`);
      return state.status === 'requested'
        ? [{ type: 'inventory.reservation-rejected.v1', data: { orderId, sku: command.sku, reason: command.reason } }]
        : [];
    case 'release-reservation':
      if (state.status === 'committed') throw new ReservationAlreadyCommitted(orderId);
      // Recorded also when nothing was ever reserved, so that the sender hears back.
      return state.status === 'released' ? [] : [{ type: 'inventory.reservation-released.v1', data: { orderId } }];
    case 'commit-reservation':
      if (state.status === 'committed') return [];
      if (state.status !== 'reserved') throw new ReservationNotCommittable(orderId, state.status === 'none' ? 'not requested' : state.status);
      return [{ type: 'inventory.reservation-committed.v1', data: { orderId } }];
    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled reservation command ${JSON.stringify(unhandled)}`);
    }
  }
}

function evolve(state: Reservation, event: ReservationEvent): Reservation {
  const lines = state.status === 'none' ? [] : state.lines;
  const { orderId } = event.data;
  switch (event.type) {
    case 'inventory.reservation-requested.v1':
      return { status: 'requested', orderId, lines: event.data.lines };
    case 'inventory.reservation-accepted.v1':
      return { status: 'reserved', orderId, lines: event.data.lines };
    case 'inventory.reservation-rejected.v1':
      return { status: 'rejected', orderId, lines, sku: event.data.sku, reason: event.data.reason };
    case 'inventory.reservation-released.v1':
      return { status: 'released', orderId, lines };
    case 'inventory.reservation-committed.v1':
      return { status: 'committed', orderId, lines };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled reservation event ${JSON.stringify(unhandled)}`);
    }
  }
}

export const reservationDecider: Decider<ReservationCommand, ReservationEvent, Reservation> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
