import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { PRODUCT_CATEGORY, productDecider, type AddStock } from '../../domain/product.js';
import { productsProjection } from '../../read-model/products.projection.js';
import { ProductView } from '../get-product/product.view.js';

@Injectable()
export class AddStockHandler {
  constructor(
    private readonly commands: CommandHandler,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
  ) {}

  /** Throws `ProductNotFound` for an unknown sku. */
  async execute(command: Omit<AddStock, 'type'>, context: MessageContext): Promise<ProductView> {
    const { state, position } = await this.commands.handle(productDecider, streamName(PRODUCT_CATEGORY, command.sku), { type: 'add-stock', ...command }, context);
    if (state.status === 'absent') throw new Error(`Product ${command.sku} vanished while stock was added.`);
    await this.readModels.waitFor(productsProjection.name, position);
    return ProductView.of(state);
  }
}
