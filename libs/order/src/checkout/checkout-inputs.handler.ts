import type { Message, MessageType } from '@agora/contracts';
import { causedBy } from '@agora/event-sourcing';
import type { IntegrationMessage, MessageHandler } from '@agora/messaging';
import type { SagaRuntime } from '@agora/saga';
import type { CheckoutInput, CheckoutSaga } from './checkout-saga.js';

/** Inventory's and payment's answers, handed to the checkout saga of their order. */
export class CheckoutInputsHandler implements MessageHandler<Message> {
  readonly name = 'order.checkout';
  readonly types: readonly MessageType[] = [
    'inventory.stock-reserved.v1',
    'inventory.stock-reservation-rejected.v1',
    'payment.payment-captured.v1',
    'payment.payment-declined.v1',
  ];

  constructor(
    private readonly runtime: SagaRuntime,
    private readonly saga: CheckoutSaga,
  ) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    if (!this.types.includes(message.type)) throw new Error(`${this.name} does not handle ${message.type}.`);
    const input = { type: message.type, data: message.data, messageId: message.metadata.messageId } as CheckoutInput;
    await this.runtime.handle(this.saga, input, causedBy(message.metadata));
  }
}
