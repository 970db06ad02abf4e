import { Injectable } from '@nestjs/common';
import type { Message, MessageType } from '@agora/contracts';
import { causedBy } from '@agora/event-sourcing';
import type { IntegrationMessage, MessageHandler } from '@agora/messaging';
import { CommitReservationHandler } from '../features/commit-reservation/commit-reservation.handler.js';
import { ReleaseReservationHandler } from '../features/release-reservation/release-reservation.handler.js';
import { ReserveStockHandler } from '../features/reserve-stock/reserve-stock.handler.js';

/**
 * The commands the checkout saga sends to inventory. Each use case is idempotent per
 * order id, so a redelivered message has one effect. Domain errors (e.g. committing a
 * rejected reservation) propagate: the transport retries, then sets the message aside
 * as a dead letter.
 */
@Injectable()
export class InventoryCommandsHandler implements MessageHandler<Message> {
  readonly name = 'inventory.commands';
  readonly types: readonly MessageType[] = ['inventory.reserve-stock.v1', 'inventory.release-reservation.v1', 'inventory.commit-reservation.v1'];

  constructor(
    private readonly reserveStock: ReserveStockHandler,
    private readonly releaseReservation: ReleaseReservationHandler,
    private readonly commitReservation: CommitReservationHandler,
  ) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    const context = causedBy(message.metadata);
    switch (message.type) {
      case 'inventory.reserve-stock.v1':
        await this.reserveStock.execute(message.data, context);
        return;
      case 'inventory.release-reservation.v1':
        await this.releaseReservation.execute(message.data, context);
        return;
      case 'inventory.commit-reservation.v1':
        await this.commitReservation.execute(message.data, context);
        return;
      default:
        throw new Error(`${this.name} does not handle ${message.type}.`);
    }
  }
}
