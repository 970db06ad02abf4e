import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, fold, streamName, type EventStore } from '@agora/event-sourcing';
import { ProductNotFound } from '../../domain/errors.js';
import { PRODUCT_CATEGORY, productDecider, type ProductEvent } from '../../domain/product.js';
import { ProductView } from './product.view.js';

/** Reads a product by folding its stream; a projection replaces this when the read models arrive. */
@Injectable()
export class GetProductHandler {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(sku: string): Promise<ProductView> {
    const product = fold(productDecider, await this.store.readStream<ProductEvent>(streamName(PRODUCT_CATEGORY, sku)));
    if (product.status === 'absent') throw new ProductNotFound(sku);
    return ProductView.of(product);
  }
}
