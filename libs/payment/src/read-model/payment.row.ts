import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChargeView, RefundView } from '../features/get-payments/payments-view.js';

/** An order's payment as queries see it: table `payments` in schema `payment_read`. */
@Entity({ name: 'payments' })
export class PaymentRow {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('jsonb')
  charges!: ChargeView[];

  @Column('jsonb')
  refunds!: RefundView[];
}
