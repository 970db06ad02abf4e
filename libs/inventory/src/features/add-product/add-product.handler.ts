import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { PRODUCT_CATEGORY, productDecider, type AddProduct } from '../../domain/product.js';

@Injectable()
export class AddProductHandler {
  constructor(private readonly commands: CommandHandler) {}

  /** Throws `ProductAlreadyExists` when the sku is taken. */
  async execute(command: Omit<AddProduct, 'type'>, context: MessageContext): Promise<{ sku: string }> {
    await this.commands.handle(productDecider, streamName(PRODUCT_CATEGORY, command.sku), { type: 'add-product', ...command }, context);
    return { sku: command.sku };
  }
}
