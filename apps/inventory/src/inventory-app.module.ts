import { Module, type DynamicModule } from '@nestjs/common';
import { HostModule, hostMessaging, onBootstrap } from '@agora/host';
import type { Config } from '@agora/platform';
import { AddProductHandler, InventoryCommandsHandler, InventoryModule, InventoryOutboundMapping, inventoryReadModel, seedDemoProducts } from '@agora/inventory';
import type pino from 'pino';

/** The inventory context as an app of its own (distributed mode): its database, its read model, Kafka for messages. */
@Module({})
export class InventoryAppModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    return {
      module: InventoryAppModule,
      imports: [
        HostModule.forRoot({ app: 'inventory', config, logger, jwtSecret: secrets.jwtSecret, readModels: [inventoryReadModel] }),
        InventoryModule,
      ],
      providers: [
        ...hostMessaging({ transport: 'kafka', app: 'inventory', config, outbound: [InventoryOutboundMapping], handlers: [InventoryCommandsHandler] }),
        onBootstrap('seed', [AddProductHandler], async (products: AddProductHandler) => {
          if (config.DEMO_DATA) await seedDemoProducts(products);
        }),
      ],
    };
  }
}
