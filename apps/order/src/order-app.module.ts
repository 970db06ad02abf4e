import { Module, type DynamicModule } from '@nestjs/common';
import { HostModule, hostMessaging } from '@agora/host';
import type { Config } from '@agora/platform';
import { CatalogHandler, CheckoutInputsHandler, CheckoutOutboundMapping, OrderCommandsHandler, OrderModule, OrderOutboundMapping, orderReadModel } from '@agora/order';
import type pino from 'pino';

/** The order context as an app of its own (distributed mode): its database, its read model, Kafka for messages. */
@Module({})
export class OrderAppModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    return {
      module: OrderAppModule,
      imports: [
        HostModule.forRoot({ app: 'order', config, logger, jwtSecret: secrets.jwtSecret, readModels: [orderReadModel] }),
        OrderModule.forRoot({ paymentTimeoutMs: config.CHECKOUT_PAYMENT_TIMEOUT_MS, reservationTimeoutMs: config.CHECKOUT_RESERVATION_TIMEOUT_MS }),
      ],
      providers: [
        ...hostMessaging({ transport: 'kafka', app: 'order', config, outbound: [OrderOutboundMapping, CheckoutOutboundMapping], handlers: [CatalogHandler, CheckoutInputsHandler, OrderCommandsHandler] }),
      ],
    };
  }
}
