import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A product as queries see it: table `products` in schema `inventory_read`. */
@Entity({ name: 'products' })
export class ProductRow {
  @PrimaryColumn('text')
  sku!: string;

  @Column('text')
  name!: string;

  @Column('integer', { name: 'price_cents' })
  priceCents!: number;

  @Column('text')
  currency!: string;

  @Column('integer')
  available!: number;

  @Column('integer')
  reserved!: number;

  @Column('integer')
  sold!: number;
}
