import { contractsFor } from '@agora/contracts';
import type { ContextDefinition } from '@agora/host';
import { PaymentsResolver } from './features/get-payments/get-payments.resolver.js';
import { PaymentCommandsHandler } from './integration/payment-commands.handler.js';
import { PaymentOutboundMapping } from './integration/payment-outbound.mapping.js';
import { PaymentModule } from './payment.module.js';
import { paymentReadModel } from './read-model/payments.projection.js';
import { renamed } from '@agora/event-sourcing';
import { PAYMENT_EVENT_TYPES } from './domain/payment.js';

/** The payment context as a host composes it. */
export const paymentContext: ContextDefinition = {
  name: 'payment',
  title: 'Agora payment',
  description: 'The payment context: charges and refunds through the payment gateway.',
  ports: { http: 3004, embeddedPostgres: 54334 },
  modules: (config) => [PaymentModule.fromConfig(config)],
  graphql: { resolvers: [], alone: [PaymentsResolver] },
  readModels: [paymentReadModel],
  events: PAYMENT_EVENT_TYPES,
  // Events stored when they had the names of the integration messages they are published as: read under their own.
  upcasters: [
    renamed('payment.payment-captured.v1', 'payment.captured.v1', 'payment'),
    renamed('payment.payment-declined.v1', 'payment.declined.v1', 'payment'),
    renamed('payment.payment-refunded.v1', 'payment.refunded.v1', 'payment'),
    renamed('payment.refund-not-needed.v1', 'payment.refund-skipped.v1', 'payment'),
  ],
  outbound: [PaymentOutboundMapping],
  handlers: [PaymentCommandsHandler],
  publishes: contractsFor('payment.payment-captured.v1', 'payment.payment-declined.v1', 'payment.payment-refunded.v1', 'payment.refund-not-needed.v1'),
  consumes: contractsFor('payment.charge-payment.v1', 'payment.refund-payment.v1'),
};
