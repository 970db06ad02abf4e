import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, EVENT_STORE, fold, streamName, type EventStore, type MessageContext } from '@agora/event-sourcing';
import { PRODUCT_CATEGORY, productDecider } from '../../domain/product.js';
import { reserveAtOnce } from '../../domain/reserve-at-once.js';
import {
  normalizeLines,
  RESERVATION_CATEGORY,
  reservationDecider,
  type Reservation,
  type ReservationCommand,
  type ReservationEvent,
  type StockLine,
} from '../../domain/reservation.js';
import { ProductStock } from '../product-stock.js';

export interface ReserveStock {
  readonly orderId: string;
  readonly lines: readonly StockLine[];
}

/**
 * Reserves every line of an order or none. The steps, each idempotent:
 *   1. record the request on `reservation-<orderId>`;
 *   2. hold each line on its product, in sku order;
 *   3a. all held: record the acceptance;
 *   3b. a line refused (or its sku unknown): record the rejection, then release what is held.
 * A redelivery after a crash at any point starts again at 1 (nothing new) and resumes:
 * still requested → 2 again (held lines stay held once); rejected or released → the
 * release of 3b again; committed → the sale of each line again (what the commit does).
 * Terminal decisions are recorded before their effects, so a hold found released or sold
 * means the reservation was settled by another path.
 *
 * Where the store writes several streams in one commit (PostgreSQL), a new reservation
 * takes all of those steps in one decision and one commit instead (`reserveAtOnce`):
 * nothing is left half done to resume, and the order's checkout waits for one append
 * instead of three. A reservation that exists already resumes by the steps.
 *
 * A run that finds its reservation settled by another one (its acceptance records
 * nothing) may have held a line on a product that had already settled and forgotten this
 * order: it then gives such surplus holds back by the same resume, releasing every line
 * of a released or rejected reservation and selling every line of a committed one, which
 * releases any hold other than the accepted one (product.ts, docs/adr/0011).
 */
@Injectable()
export class ReserveStockHandler {
  constructor(
    private readonly commands: CommandHandler,
    private readonly stock: ProductStock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(command: ReserveStock, context: MessageContext): Promise<Reservation> {
    const atOnce = this.commands.appendsAtomically ? await this.reserveAtOnce(command, context) : undefined;
    if (atOnce) return atOnce;
    const { state } = await this.record({ type: 'request-reservation', orderId: command.orderId, lines: command.lines }, context);
    return this.resume(state, context);
  }

  /** The reservation decided and written in one commit, or `undefined` when it is not new (see `reserveAtOnce`). */
  private async reserveAtOnce({ orderId, lines: asked }: ReserveStock, context: MessageContext): Promise<Reservation | undefined> {
    const lines = normalizeLines(asked);
    const [reservation] = await this.commands.handleTogether(
      [
        { decider: reservationDecider, streamName: streamName(RESERVATION_CATEGORY, orderId), expectNew: true },
        ...lines.map((line) => ({ decider: productDecider, streamName: streamName(PRODUCT_CATEGORY, line.sku) })),
      ],
      ([state, ...products]) => {
        const decided = reserveAtOnce(orderId, lines, state, products);
        return decided ? [decided.reservation, ...decided.products] : [[], ...lines.map(() => [])];
      },
      context,
    );
    return reservation.events.length > 0 ? reservation.state : undefined;
  }

  private async resume(state: Reservation, context: MessageContext): Promise<Reservation> {
    switch (state.status) {
      case 'requested':
        return this.holdLines(state.orderId, state.lines, context);
      case 'rejected':
      case 'released':
        // Finishes a release that a crash may have interrupted; releasing twice does nothing.
        await this.stock.releaseAll(state.orderId, state.lines, context);
        return state;
      case 'committed':
        // Finishes a commit a crash may have interrupted, and gives back surplus holds.
        await this.stock.sellAll(state.orderId, state.lines, context);
        return state;
      case 'reserved':
        // Its holds are all active, so no product made a surplus one (product.ts).
        return state;
      case 'none':
        throw new Error('A recorded reservation request left no reservation.');
      default: {
        const unhandled: never = state;
        throw new Error(`Unhandled reservation state ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private async holdLines(orderId: string, lines: readonly StockLine[], context: MessageContext): Promise<Reservation> {
    const holds: number[] = [];
    for (const line of lines) {
      const outcome = await this.stock.hold(orderId, line, context);
      if (outcome.held) {
        holds.push(outcome.hold);
        continue;
      }
      if ('refused' in outcome) {
        const { state } = await this.record({ type: 'reject-reservation', orderId, sku: line.sku, reason: outcome.refused }, context);
        return this.resume(state, context);
      }
      const current = await this.load(orderId);
      if (current.status === 'requested') {
        throw new Error(`Order ${orderId}'s hold on ${line.sku} is ${outcome.settled} while its reservation is still open.`);
      }
      return this.resume(current, context);
    }
    // Accepted unless released meanwhile; then resume() gives the lines back.
    const { state } = await this.record({ type: 'accept-reservation', orderId, holds }, context);
    return this.resume(state, context);
  }

  private record(command: ReservationCommand, context: MessageContext) {
    // One reservation per order, made by this handler: a stream it does not remember is usually new.
    return this.commands.handle(reservationDecider, streamName(RESERVATION_CATEGORY, command.orderId), command, context, { expectNew: true });
  }

  private async load(orderId: string): Promise<Reservation> {
    return fold(reservationDecider, await this.store.readStream<ReservationEvent>(streamName(RESERVATION_CATEGORY, orderId)));
  }
}
