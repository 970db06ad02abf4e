import { bigintAsNumber } from '@agora/projections';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * How many confirmed orders contained both `sku` and `otherSku`: table `co_purchases` in
 * schema `recommendation_read`. Each pair has a row in both directions.
 */
@Entity({ name: 'co_purchases' })
@Index('co_purchases_by_count', ['sku', 'count', 'otherSku'])
export class CoPurchaseRow {
  @PrimaryColumn('text', { collation: 'C' })
  sku!: string;

  @PrimaryColumn('text', { name: 'other_sku', collation: 'C' })
  otherSku!: string;

  @Column('bigint', { transformer: bigintAsNumber })
  count!: number;
}
