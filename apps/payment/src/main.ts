import { graphqlFor, PaymentsResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { PaymentCommandsHandler, PaymentModule, PaymentOutboundMapping, paymentReadModel } from '@agora/payment';

await runContextApp({
  app: 'payment',
  title: 'Agora payment',
  description: 'The payment context: charges and refunds through the payment gateway.',
  port: 3004,
  embeddedPostgresPort: 54334,
  readModels: [paymentReadModel],
  modules: (config) => [
    PaymentModule.fromConfig(config),
  ],
  checksTokenVersions: true,
  graphql: graphqlFor([PaymentsResolver]),
  outbound: [PaymentOutboundMapping],
  handlers: [PaymentCommandsHandler],
});
