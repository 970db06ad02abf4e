import { ApiProperty } from '@nestjs/swagger';
import type { ListedProduct } from '../../domain/product.js';

type Shown = Pick<ListedProduct, 'sku' | 'name' | 'priceCents' | 'currency' | 'available' | 'reserved' | 'sold'>;

/** A product as the API shows it: catalog entry and stock levels. */
export class ProductView {
  @ApiProperty({ example: 'TSHIRT-RED-M' })
  sku!: string;

  @ApiProperty({ example: 'Red T-shirt, size M' })
  name!: string;

  @ApiProperty({ description: 'Price in the smallest unit of the currency.', example: 1999 })
  priceCents!: number;

  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ description: 'Units that can be reserved.', example: 7 })
  available!: number;

  @ApiProperty({ description: 'Units held for orders not yet confirmed.', example: 2 })
  reserved!: number;

  @ApiProperty({ description: 'Units sold (reservations committed).', example: 1 })
  sold!: number;

  static of(product: Shown): ProductView {
    const { sku, name, priceCents, currency, available, reserved, sold } = product;
    return Object.assign(new ProductView(), { sku, name, priceCents, currency, available, reserved, sold });
  }
}
