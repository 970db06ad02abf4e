import { causedBy, CommandHandler, streamName } from '@agora/event-sourcing';
import type { Message, MessageType } from '@agora/contracts';
import type { IntegrationMessage, MessageHandler } from '@agora/messaging';
import { paymentDecider, type PaymentCommand } from '../domain/payment.js';

/**
 * The saga's commands to payment. Only records what is asked (idempotently: a redelivered
 * command decides nothing) and returns at once: the gateway is called by the
 * `PaymentProcessor`, so a gateway that never answers cannot stall delivery.
 */
export class PaymentCommandsHandler implements MessageHandler<Message> {
  readonly name = 'payment.commands';
  readonly types: readonly MessageType[] = ['payment.charge-payment.v1', 'payment.refund-payment.v1'];

  constructor(private readonly commands: CommandHandler) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    const command = toCommand(message);
    // A charge request opens the order's payment stream.
    await this.commands.handle(paymentDecider, streamName('payment', command.orderId), command, causedBy(message.metadata), { expectNew: command.type === 'request-charge' });
  }
}

function toCommand(message: Message): PaymentCommand {
  switch (message.type) {
    case 'payment.charge-payment.v1': {
      const { orderId, amountCents, currency, paymentToken } = message.data;
      return { type: 'request-charge', orderId, amountCents, currency, paymentToken };
    }
    case 'payment.refund-payment.v1':
      return { type: 'request-refund', orderId: message.data.orderId, reason: message.data.reason };
    default:
      throw new Error(`payment.commands does not handle ${message.type}.`);
  }
}
