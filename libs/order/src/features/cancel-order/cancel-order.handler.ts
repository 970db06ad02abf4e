import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { ORDER_CATEGORY, orderDecider } from '../../domain/order.js';
import { ordersProjection } from '../../read-model/orders.projection.js';

/**
 * Records the customer's wish; the checkout saga compensates what happened so far and
 * cancels the order. Throws `OrderNotFound`, or `InvalidOrderTransition` once the order
 * is no longer pending.
 */
@Injectable()
export class RequestCancellationHandler {
  constructor(
    private readonly commands: CommandHandler,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
  ) {}

  async execute(orderId: string, context: MessageContext): Promise<{ orderId: string }> {
    const { position } = await this.commands.handle(orderDecider, streamName(ORDER_CATEGORY, orderId), { type: 'request-cancellation', orderId, at: new Date().toISOString() }, context);
    await this.readModels.waitFor(ordersProjection.name, position);
    return { orderId };
  }
}
