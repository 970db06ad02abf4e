import { Module, type DynamicModule } from '@nestjs/common';
import { shopGraphql } from '@agora/graphql';
import { HostModule, hostMessaging, onBootstrap } from '@agora/host';
import { AddProductHandler, InventoryCommandsHandler, InventoryModule, InventoryOutboundMapping, seedDemoProducts } from '@agora/inventory';
import { CatalogHandler, CheckoutInputsHandler, CheckoutOutboundMapping, OrderCommandsHandler, OrderModule, OrderOutboundMapping } from '@agora/order';
import { PaymentCommandsHandler, PaymentModule, PaymentOutboundMapping } from '@agora/payment';
import { adminPassword, type Config } from '@agora/platform';
import { RecommendationModule, RecommendationOrdersHandler } from '@agora/recommendation';
import { RegisterUserHandler, seedUsers, UserModule } from '@agora/user';
import type pino from 'pino';
import { SHOP_READ_MODELS } from './read-models.js';

/**
 * The all-in-one host: every bounded context in one process, on one PostgreSQL database
 * (embedded unless DATABASE_URL is set), messages delivered in-process. This is the
 * composition root: it binds the ports to their adapters.
 */
@Module({})
export class ShopModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    const graphql = shopGraphql();
    // Here, before anything starts: in production a missing ADMIN_PASSWORD stops the host.
    const admin = adminPassword(config);
    return {
      module: ShopModule,
      imports: [
        HostModule.forRoot({ app: 'shop', config, logger, jwtSecret: secrets.jwtSecret, readModels: SHOP_READ_MODELS }),
        InventoryModule,
        PaymentModule.fromConfig(config),
        UserModule.forRoot(config),
        RecommendationModule,
        graphql.module,
        OrderModule.fromConfig(config),
      ],
      providers: [
        ...hostMessaging({
          transport: 'in-process',
          app: 'shop',
          config,
          outbound: [InventoryOutboundMapping, PaymentOutboundMapping, OrderOutboundMapping, CheckoutOutboundMapping],
          handlers: [InventoryCommandsHandler, PaymentCommandsHandler, CatalogHandler, CheckoutInputsHandler, OrderCommandsHandler, RecommendationOrdersHandler],
        }),
        onBootstrap('seed', [RegisterUserHandler, AddProductHandler], async (users: RegisterUserHandler, products: AddProductHandler) => {
          await seedUsers(users, { adminEmail: config.ADMIN_EMAIL, adminPassword: admin, demoCustomer: config.DEMO_DATA });
          if (config.DEMO_DATA) await seedDemoProducts(products);
        }),
        ...graphql.resolvers,
      ],
    };
  }
}
