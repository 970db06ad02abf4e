import {
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EVENT_STORE, EventStoreDbEventStore, PostgresEventStore, type EventStore } from '@agora/event-sourcing';
import {
  AuthModule,
  createPostgresPool,
  loggerModule,
  openPostgresDatabase,
  PG_POOL,
  POSTGRES_DATABASE,
  type Config,
  type PostgresDatabase,
} from '@agora/platform';
import type pg from 'pg';
import type pino from 'pino';
import { InventoryModule } from '@agora/inventory';
import { OrderModule } from '@agora/order';
import { ReadSideModule } from '@agora/projections';
import { RecommendationModule } from '@agora/recommendation';
import { UserModule } from '@agora/user';
import { PaymentModule } from '@agora/payment';
import { AlsoBoughtResolver, CatalogResolver } from './graphql/catalog.resolver.js';
import { shopGraphql } from './graphql/graphql.js';
import { OrderLineResolver, OrdersResolver } from './graphql/orders.resolver.js';
import { RecommendationResolver, UsersResolver } from './graphql/users.resolver.js';
import { DemoData, SEED_OPTIONS } from './demo-data.js';
import { HealthController, PROJECTION_LAG_DEGRADED_MS } from './health.controller.js';
import { SHOP_READ_MODELS } from './read-models.js';
import { DUPLICATE_DELIVERY, ShopMessaging } from './shop-messaging.js';

/**
 * The all-in-one host: every bounded context in one process, on one PostgreSQL database
 * (embedded unless DATABASE_URL is set). This is the composition root: it binds the
 * ports to their adapters.
 */
@Module({})
export class ShopModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  static forRoot(config: Config, logger: pino.Logger, secrets: { readonly jwtSecret: string }): DynamicModule {
    return {
      module: ShopModule,
      // Every context module injects the event store and the pool without importing the host;
      // the read side finds the database here too.
      global: true,
      exports: [EVENT_STORE, PG_POOL, POSTGRES_DATABASE],
      imports: [
        loggerModule(logger),
        AuthModule.forRoot({ secret: secrets.jwtSecret, expiresInSeconds: config.JWT_EXPIRES_IN_S }),
        TerminusModule,
        ReadSideModule.forRoot({
          readModels: SHOP_READ_MODELS,
          inject: [POSTGRES_DATABASE],
          url: (database: PostgresDatabase) => database.url,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        InventoryModule,
        PaymentModule.forRoot({
          simulator: {
            latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS,
            ...(config.PAYMENT_GATEWAY_LATE_ANSWER_MS !== undefined && { lateAnswerAfterMs: config.PAYMENT_GATEWAY_LATE_ANSWER_MS }),
          },
        }),
        UserModule,
        RecommendationModule,
        shopGraphql(),
        OrderModule.forRoot({ paymentTimeoutMs: config.CHECKOUT_PAYMENT_TIMEOUT_MS, reservationTimeoutMs: config.CHECKOUT_RESERVATION_TIMEOUT_MS }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: DUPLICATE_DELIVERY, useValue: config.MESSAGING_DUPLICATE_DELIVERY },
        { provide: PROJECTION_LAG_DEGRADED_MS, useValue: config.PROJECTION_LAG_DEGRADED_MS },
        ShopMessaging,
        { provide: SEED_OPTIONS, useValue: { adminEmail: config.ADMIN_EMAIL, adminPassword: config.ADMIN_PASSWORD, demoData: config.DEMO_DATA } },
        DemoData,
        CatalogResolver,
        AlsoBoughtResolver,
        OrdersResolver,
        OrderLineResolver,
        UsersResolver,
        RecommendationResolver,
        {
          provide: POSTGRES_DATABASE,
          useFactory: () => openPostgresDatabase(config, 'agora'),
        },
        {
          provide: PG_POOL,
          inject: [POSTGRES_DATABASE],
          useFactory: (database: PostgresDatabase) =>
            createPostgresPool({ url: database.url, size: config.DATABASE_POOL_SIZE, applicationName: 'agora-shop' }),
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: pg.Pool): Promise<EventStore> => {
            // The config schema refuses EVENT_STORE=esdb without EVENTSTORE_URL.
            if (config.EVENT_STORE === 'esdb') return EventStoreDbEventStore.connect(config.EVENTSTORE_URL!);
            const store = new PostgresEventStore(pool, { schema: 'event_store' });
            await store.migrate();
            return store;
          },
        },
      ],
    };
  }

  constructor(
    @Inject(POSTGRES_DATABASE) private readonly database: PostgresDatabase,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    new Logger(ShopModule.name).log(`Shutting down${signal ? ` on ${signal}` : ''}`);
  }

  /**
   * Runs after the HTTP server has closed and after the hooks of every provider here:
   * contexts stop their work in `onModuleDestroy`/`beforeApplicationShutdown`, and the
   * infrastructure they used goes last, in the reverse order of its creation.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
    await this.pool.end();
    await this.database.close();
  }
}
