import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { RESERVATION_CATEGORY, reservationDecider, type Reservation } from '../../domain/reservation.js';
import { ProductStock } from '../product-stock.js';

export interface CommitReservation {
  readonly orderId: string;
}

/**
 * Records the commit of a reservation that holds every line, then sells each line on its
 * product. A redelivery records nothing new and sells again (a no-op per line), which
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
    const { state } = await this.commands.handle(
      reservationDecider,
      streamName(RESERVATION_CATEGORY, orderId),
      { type: 'commit-reservation', orderId },
      context,
    );
    if (state.status !== 'none') await this.stock.sellAll(orderId, state.lines, context);
    return state;
  }
}
