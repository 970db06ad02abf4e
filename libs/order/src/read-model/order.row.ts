import { bigintAsNumber } from '@agora/projections';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OrderLine, OrderStatus } from '../domain/order.js';

/** An order as queries see it: table `orders` in schema `order_read`. */
@Entity({ name: 'orders' })
@Index('orders_by_customer', ['customerId', 'createdAt', 'orderId'])
@Index('orders_newest', ['createdAt', 'orderId'])
@Index('orders_by_status', ['status', 'createdAt', 'orderId'])
export class OrderRow {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('text', { name: 'customer_id' })
  customerId!: string;

  @Column('text')
  status!: OrderStatus;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('jsonb')
  lines!: OrderLine[];

  @Column('bigint', { name: 'total_cents', transformer: bigintAsNumber })
  totalCents!: number;

  @Column('text')
  currency!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
