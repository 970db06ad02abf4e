import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { RESERVATION_CATEGORY, reservationDecider, type Reservation } from '../../domain/reservation.js';
import { ProductStock } from '../product-stock.js';

export interface ReleaseReservation {
  readonly orderId: string;
}

/**
 * Records the release (also when nothing was reserved, so the sender always hears back),
 * then gives back every line. A redelivery records nothing new and releases again, which
 * finishes a release a crash interrupted. A committed reservation cannot be released.
 */
@Injectable()
export class ReleaseReservationHandler {
  constructor(
    private readonly commands: CommandHandler,
    private readonly stock: ProductStock,
  ) {}

  async execute({ orderId }: ReleaseReservation, context: MessageContext): Promise<Reservation> {
    const { state } = await this.commands.handle(
      reservationDecider,
      streamName(RESERVATION_CATEGORY, orderId),
      { type: 'release-reservation', orderId },
      context,
    );
    if (state.status !== 'none') await this.stock.releaseAll(orderId, state.lines, context);
    return state;
  }
}
