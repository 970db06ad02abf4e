import { contractsFor } from '@agora/contracts';
import type { ContextDefinition } from '@agora/host';
import { PaymentsResolver } from './features/get-payments/get-payments.resolver.js';
import { PaymentCommandsHandler } from './integration/payment-commands.handler.js';
import { PaymentOutboundMapping } from './integration/payment-outbound.mapping.js';
import { PaymentModule } from './payment.module.js';
import { paymentReadModel } from './read-model/payments.projection.js';

/** The payment context as a host composes it. */
export const paymentContext: ContextDefinition = {
  name: 'payment',
  title: 'Agora payment',
  description: 'The payment context: charges and refunds through the payment gateway.',
  ports: { http: 3004, embeddedPostgres: 54334 },
  modules: (config) => [PaymentModule.fromConfig(config)],
  graphql: { resolvers: [], alone: [PaymentsResolver] },
  readModels: [paymentReadModel],
  outbound: [PaymentOutboundMapping],
  handlers: [PaymentCommandsHandler],
  publishes: contractsFor('payment.payment-captured.v1', 'payment.payment-declined.v1', 'payment.payment-refunded.v1', 'payment.refund-not-needed.v1'),
  consumes: contractsFor('payment.charge-payment.v1', 'payment.refund-payment.v1'),
};
