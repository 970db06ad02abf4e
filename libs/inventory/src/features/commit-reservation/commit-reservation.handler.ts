import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { PRODUCT_CATEGORY, productDecider } from '../../domain/product.js';
import { RESERVATION_CATEGORY, reservationDecider, type Reservation } from '../../domain/reservation.js';
import { commitAtOnce } from '../../domain/reserve-at-once.js';
import { ProductStock } from '../product-stock.js';

export interface CommitReservation {
  readonly orderId: string;
}

/**
 * Records the commit of a reservation that holds every line, then sells each line on its
 * product; where the store writes several streams in one commit, both at once. A redelivery records nothing new and sells again (a no-op per line), which
 * finishes a commit a crash interrupted. Committing a reservation that was rejected,
 * released or never made is refused with `ReservationNotCommittable`.
 */
@Injectable()
export class CommitReservationHandler {
  constructor(
    private readonly commands: CommandHandler,
    private readonly stock: ProductStock,
  ) {}

  async execute({ orderId }: CommitReservation, context: MessageContext): Promise<Reservation> {
    const atOnce = this.commands.appendsAtomically ? await this.commitAtOnce(orderId, context) : undefined;
    if (atOnce) return atOnce;
    const { state } = await this.commands.handle(
      reservationDecider,
      streamName(RESERVATION_CATEGORY, orderId),
      { type: 'commit-reservation', orderId },
      context,
    );
    if (state.status !== 'none') await this.stock.sellAll(orderId, state.lines, context);
    return state;
  }

  /**
   * Where the store writes several streams in one commit, a reserved reservation's commit
   * and the sale of every line go together (`commitAtOnce`); `undefined` when it is not
   * reserved as remembered or read, for the steps to take it.
   */
  private async commitAtOnce(orderId: string, context: MessageContext): Promise<Reservation | undefined> {
    const stream = streamName(RESERVATION_CATEGORY, orderId);
    const known = this.commands.recalled(reservationDecider, stream) ?? (await this.commands.load(reservationDecider, stream));
    if (known.state.status !== 'reserved') return undefined;
    const skus = known.state.lines.map((line) => line.sku);
    const [reservation] = await this.commands.handleTogether(
      [{ decider: reservationDecider, streamName: stream }, ...skus.map((sku) => ({ decider: productDecider, streamName: streamName(PRODUCT_CATEGORY, sku) }))],
      ([state, ...products]) => {
        const sameLines = state.status === 'reserved' && state.lines.every((line, i) => line.sku === skus[i]) && state.lines.length === skus.length;
        const decided = sameLines ? commitAtOnce(orderId, state, products) : undefined;
        return decided ? [decided.reservation, ...decided.products] : [[], ...skus.map(() => [])];
      },
      context,
    );
    return reservation.events.length > 0 ? reservation.state : undefined;
  }
}
