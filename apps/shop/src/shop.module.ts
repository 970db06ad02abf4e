import { Module, type DynamicModule } from '@nestjs/common';
import { shopGraphql } from './graphql/shop-graphql.js';
import { HostModule, hostContexts } from '@agora/host';
import type { Config } from '@agora/platform';
import type pino from 'pino';
import { SHOP_CONTEXTS } from './shop-contexts.js';

/**
 * The all-in-one host: every bounded context in one process, on one PostgreSQL database
 * (embedded unless DATABASE_URL is set), messages delivered in-process. This is the
 * composition root: it binds the ports to their adapters.
 */
@Module({})
export class ShopModule {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    const graphql = shopGraphql();
    const contexts = hostContexts(SHOP_CONTEXTS, { app: 'shop', config, transport: 'in-process' });
    return {
      module: ShopModule,
      imports: [
        HostModule.forRoot({
          app: 'shop',
          config,
          logger,
          jwtSecret: secrets.jwtSecret,
          readModels: contexts.readModels,
          upcasters: contexts.upcasters,
          schemas: contexts.schemas,
        }),
        ...contexts.imports,
        graphql.module,
      ],
      providers: [...contexts.providers, ...graphql.resolvers],
      controllers: contexts.controllers,
    };
  }
}
