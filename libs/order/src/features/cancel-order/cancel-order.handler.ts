import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { ORDER_CATEGORY, orderDecider } from '../../domain/order.js';

/**
 * Records the customer's wish; the checkout saga compensates what happened so far and
 * cancels the order. Throws `OrderNotFound`, or `InvalidOrderTransition` once the order
 * is no longer pending.
 */
@Injectable()
export class RequestCancellationHandler {
  constructor(private readonly commands: CommandHandler) {}

  async execute(orderId: string, context: MessageContext): Promise<{ orderId: string }> {
    await this.commands.handle(orderDecider, streamName(ORDER_CATEGORY, orderId), { type: 'request-cancellation', orderId, at: new Date().toISOString() }, context);
    return { orderId };
  }
}
