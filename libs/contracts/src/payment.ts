import { z } from 'zod';
import { cents, currency, orderId } from './schemas.js';

/** Commands to payment, sent by the checkout saga; keyed by order id. */
export const paymentCommands = {
  'payment.charge-payment.v1': z.object({ orderId, amountCents: cents, currency, paymentToken: z.string().min(1) }).strict(),
  'payment.refund-payment.v1': z.object({ orderId, reason: z.string().min(1) }).strict(),
};

/** Payment's integration events; keyed by order id. */
export const paymentEvents = {
  'payment.payment-captured.v1': z.object({ orderId, chargeId: z.string().min(1), amountCents: cents, currency }).strict(),
  'payment.payment-declined.v1': z.object({ orderId, reason: z.string().min(1) }).strict(),
  'payment.payment-refunded.v1': z.object({ orderId, chargeId: z.string().min(1), amountCents: cents, currency }).strict(),
  /** A refund was asked for an order that was never charged: recorded, nothing moved. */
  'payment.refund-not-needed.v1': z.object({ orderId }).strict(),
};

export type PaymentCommandType = keyof typeof paymentCommands;
export type PaymentEventType = keyof typeof paymentEvents;
