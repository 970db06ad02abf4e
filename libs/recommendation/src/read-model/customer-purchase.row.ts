import { bigintAsNumber } from '@agora/projections';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a customer bought of one product: table `customer_purchases` in schema `recommendation_read`. */
@Entity({ name: 'customer_purchases' })
export class CustomerPurchaseRow {
  @PrimaryColumn('text', { name: 'customer_id' })
  customerId!: string;

  @PrimaryColumn('text', { collation: 'C' })
  sku!: string;

  /** Units bought, over all orders. */
  @Column('bigint', { transformer: bigintAsNumber })
  quantity!: number;

  /** Confirmed orders that contained the product. */
  @Column('bigint', { transformer: bigintAsNumber })
  orders!: number;
}
