import type { Message, MessageType } from '@agora/contracts';
import type { IntegrationMessage, MessageHandler } from '@agora/messaging';
import type { ProductCatalog } from './product-catalog.js';

/** Copies inventory's products into order's catalog: prices come from inventory, never from the client. */
export class CatalogHandler implements MessageHandler<Message> {
  readonly name = 'order.catalog';
  readonly types: readonly MessageType[] = ['inventory.product-listed.v1'];

  constructor(private readonly catalog: ProductCatalog) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    if (message.type !== 'inventory.product-listed.v1') throw new Error(`${this.name} does not handle ${message.type}.`);
    await this.catalog.add(message.data);
  }
}
