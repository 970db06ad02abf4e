import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { PRODUCT_CATEGORY, productDecider, type AddStock } from '../../domain/product.js';
import { ProductView } from '../get-product/product.view.js';

@Injectable()
export class AddStockHandler {
  constructor(private readonly commands: CommandHandler) {}

  /** Throws `ProductNotFound` for an unknown sku. */
  async execute(command: Omit<AddStock, 'type'>, context: MessageContext): Promise<ProductView> {
    const { state } = await this.commands.handle(productDecider, streamName(PRODUCT_CATEGORY, command.sku), { type: 'add-stock', ...command }, context);
    if (state.status === 'absent') throw new Error(`Product ${command.sku} vanished while stock was added.`);
    return ProductView.of(state);
  }
}
