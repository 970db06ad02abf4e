import { runHost } from '@agora/host';
import { PaymentAppModule } from './payment-app.module.js';

await runHost({
  app: 'payment',
  title: 'Agora payment',
  description: 'The payment context: charges and refunds through the payment gateway.',
  defaults: { PORT: '3004', EMBEDDED_POSTGRES_PORT: '54334', EMBEDDED_POSTGRES_DIR: '.data/payment/postgres' },
  consumesKafka: true,
  rootModule: (config, logger, secrets) => PaymentAppModule.forRoot(config, logger, secrets),
});
