import { bigintAsNumber } from '@agora/projections';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A product as queries see it: table `products` in schema `inventory_read`. */
@Entity({ name: 'products' })
export class ProductRow {
  @PrimaryColumn('text')
  sku!: string;

  @Column('text')
  name!: string;

  @Column('bigint', { name: 'price_cents', transformer: bigintAsNumber })
  priceCents!: number;

  @Column('text')
  currency!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  available!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  reserved!: number;

  @Column('bigint', { transformer: bigintAsNumber })
  sold!: number;
}
