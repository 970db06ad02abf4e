import type { Message, MessageType } from '@agora/contracts';
import { causedBy, CommandHandler, streamName } from '@agora/event-sourcing';
import type { IntegrationMessage, MessageBody, MessageHandler } from '@agora/messaging';
import { ORDER_CATEGORY, orderDecider, type OrderCommand } from '../domain/order.js';

/**
 * The order's commands as messages (`order.commands`). The checkout saga decides its own
 * in its append now (`LocalAggregate`); this handler takes the ones an earlier version
 * sent that are still on the topic, and those of any other sender. Each transition is
 * idempotent, so a redelivered command has one effect. A command that contradicts the
 * order (confirm a rejected one) is a domain error: retried by the transport, then a
 * visible dead letter.
 */
export class OrderCommandsHandler implements MessageHandler<Message> {
  readonly name = 'order.commands';
  readonly types: readonly MessageType[] = ['order.confirm-order.v1', 'order.reject-order.v1', 'order.cancel-order.v1'];

  constructor(
    private readonly commands: CommandHandler,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    const command = orderCommandOf(message, this.clock());
    if (!command) throw new Error(`${this.name} does not handle ${message.type}.`);
    await this.commands.handle(orderDecider, streamName(ORDER_CATEGORY, command.orderId), command, causedBy(message.metadata));
  }
}

/** The order's command that a message to the order context stands for; `undefined` for a message to another context. */
export function orderCommandOf(message: Pick<MessageBody, 'type' | 'data'>, now: Date): OrderCommand | undefined {
  const at = now.toISOString();
  const { orderId } = message.data as { readonly orderId: string };
  switch (message.type) {
    case 'order.confirm-order.v1':
      return { type: 'confirm-order', orderId, at };
    case 'order.reject-order.v1':
      return { type: 'reject-order', orderId, reason: (message.data as { readonly reason: string }).reason, at };
    case 'order.cancel-order.v1':
      return { type: 'cancel-order', orderId, at };
    default:
      return undefined;
  }
}
