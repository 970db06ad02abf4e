import { requestContext } from '@agora/event-sourcing';
import { ProductAlreadyExists } from '../../domain/errors.js';
import type { AddProductHandler } from '../add-product/add-product.handler.js';

const DEMO_PRODUCTS = [
  { sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR', initialStock: 50 },
  { sku: 'TEA-GREEN', name: 'Green tea, 100 g', priceCents: 890, currency: 'EUR', initialStock: 80 },
  { sku: 'TEAPOT-CAST', name: 'Cast-iron teapot', priceCents: 4900, currency: 'EUR', initialStock: 10 },
  { sku: 'COASTER-CORK', name: 'Cork coaster', priceCents: 350, currency: 'EUR', initialStock: 200 },
] as const;

/** The demo catalog, added where missing; safe at every start and on several hosts at once. */
export async function seedDemoProducts(products: AddProductHandler): Promise<void> {
  for (const product of DEMO_PRODUCTS) {
    await products.execute({ ...product }, requestContext('seed')).catch((error: unknown) => {
      if (!(error instanceof ProductAlreadyExists)) throw error;
    });
  }
}
