import { Module, type DynamicModule } from '@nestjs/common';
import { HostModule, hostMessaging } from '@agora/host';
import type { Config } from '@agora/platform';
import { PaymentCommandsHandler, PaymentModule, PaymentOutboundMapping, paymentReadModel } from '@agora/payment';
import type pino from 'pino';

/** The payment context as an app of its own (distributed mode): its database, its read model, Kafka for messages. */
@Module({})
export class PaymentAppModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    return {
      module: PaymentAppModule,
      imports: [
        HostModule.forRoot({ app: 'payment', config, logger, jwtSecret: secrets.jwtSecret, readModels: [paymentReadModel] }),
        PaymentModule.forRoot({
          simulator: {
            latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS,
            ...(config.PAYMENT_GATEWAY_LATE_ANSWER_MS !== undefined && { lateAnswerAfterMs: config.PAYMENT_GATEWAY_LATE_ANSWER_MS }),
          },
        }),
      ],
      providers: [
        ...hostMessaging({ transport: 'kafka', app: 'payment', config, outbound: [PaymentOutboundMapping], handlers: [PaymentCommandsHandler] }),
      ],
    };
  }
}
