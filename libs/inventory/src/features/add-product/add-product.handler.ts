import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { PRODUCT_CATEGORY, productDecider, type AddProduct } from '../../domain/product.js';
import { productsProjection } from '../../read-model/products.projection.js';

@Injectable()
export class AddProductHandler {
  constructor(
    private readonly commands: CommandHandler,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
  ) {}

  /** Throws `ProductAlreadyExists` when the sku is taken. */
  async execute(command: Omit<AddProduct, 'type'>, context: MessageContext): Promise<{ sku: string }> {
    const { position } = await this.commands.handle(productDecider, streamName(PRODUCT_CATEGORY, command.sku), { type: 'add-product', ...command }, context);
    await this.readModels.waitFor(productsProjection.name, position);
    return { sku: command.sku };
  }
}
