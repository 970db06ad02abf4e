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
    PaymentModule.forRoot({
      simulator: {
        latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS,
        ...(config.PAYMENT_GATEWAY_LATE_ANSWER_MS !== undefined && { lateAnswerAfterMs: config.PAYMENT_GATEWAY_LATE_ANSWER_MS }),
      },
    }),
  ],
  graphql: graphqlFor([PaymentsResolver]),
  outbound: [PaymentOutboundMapping],
  handlers: [PaymentCommandsHandler],
});
