import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An order's checkout saga as queries see it: table `checkouts` in schema `order_read`. */
@Entity({ name: 'checkouts' })
export class CheckoutRow {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId!: string;

  @Column('text')
  status!: 'active' | 'completed' | 'stuck';

  @Column('text', { name: 'current_step' })
  currentStep!: string;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('jsonb', { nullable: true })
  deadline!: { name: string; dueAt: string } | null;

  @Column('jsonb')
  steps!: { step: string; input: string; at: string }[];
}
