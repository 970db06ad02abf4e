import { rowProjection, type ReadModel } from '@agora/projections';
import type { Migration } from '@agora/platform';
import { evolvePaymentsView } from '../features/get-payments/payments-view.js';
import { PaymentRow } from './payment.row.js';

export const PAYMENT_READ_SCHEMA = 'payment_read';

export const paymentsProjection = rowProjection<PaymentRow>({
  name: 'payment.payments',
  schema: PAYMENT_READ_SCHEMA,
  categories: ['payment'],
  entity: PaymentRow,
  key: 'orderId',
  rowPerStream: true,
  keyOf: (event) => (event.data as { orderId?: string }).orderId,
  evolve: (row, event) => {
    const orderId = (event.data as { orderId: string }).orderId;
    const view = evolvePaymentsView({ orderId, charges: row?.charges ?? [], refunds: row?.refunds ?? [] }, event);
    return Object.assign(new PaymentRow(), view);
  },
});

/** The payment context's read model: schema `payment_read`. */
export const PaymentReadModel1795700000004: Migration = {
  name: 'PaymentReadModel1795700000004',
  up: `
      CREATE SCHEMA IF NOT EXISTS payment_read;
      CREATE TABLE payment_read.payments (order_id uuid PRIMARY KEY, charges jsonb NOT NULL, refunds jsonb NOT NULL);
    `,
};

export const paymentReadModel: ReadModel = {
  schema: PAYMENT_READ_SCHEMA,
  entities: [PaymentRow],
  migrations: [PaymentReadModel1795700000004],
  projections: [paymentsProjection],
};
