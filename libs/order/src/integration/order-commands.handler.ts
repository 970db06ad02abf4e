import type { Message, MessageType } from '@agora/contracts';
import { causedBy, CommandHandler, streamName } from '@agora/event-sourcing';
import type { MessageHandler } from '@agora/messaging';
import { ORDER_CATEGORY, orderDecider, type OrderCommand } from '../domain/order.js';

/**
 * The checkout saga's commands to its own context. Each transition is idempotent, so a
 * redelivered command has one effect. A command that contradicts the order (confirm a
 * rejected one) is a domain error: retried by the transport, then a visible dead letter.
 */
export class OrderCommandsHandler implements MessageHandler {
  readonly name = 'order.commands';
  readonly types: readonly MessageType[] = ['order.confirm-order.v1', 'order.reject-order.v1', 'order.cancel-order.v1'];

  constructor(
    private readonly commands: CommandHandler,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle(message: Message): Promise<void> {
    const command = this.toCommand(message);
    await this.commands.handle(orderDecider, streamName(ORDER_CATEGORY, command.orderId), command, causedBy(message.metadata));
  }

  private toCommand(message: Message): OrderCommand {
    const at = this.clock().toISOString();
    switch (message.type) {
      case 'order.confirm-order.v1':
        return { type: 'confirm-order', orderId: message.data.orderId, at };
      case 'order.reject-order.v1':
        return { type: 'reject-order', orderId: message.data.orderId, reason: message.data.reason, at };
      case 'order.cancel-order.v1':
        return { type: 'cancel-order', orderId: message.data.orderId, at };
      default:
        throw new Error(`${this.name} does not handle ${message.type}.`);
    }
  }
}
