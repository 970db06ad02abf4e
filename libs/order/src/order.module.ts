import { Module, type DynamicModule } from '@nestjs/common';
import { CommandHandler, EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { BACKGROUND_WORK, PG_POOL, type BackgroundWork, type Config, type StatementRunner } from '@agora/platform';
import { READ_SIDE_STATEMENTS } from '@agora/projections';
import { SagaRuntime } from '@agora/saga';
import type pg from 'pg';
import { CatalogHandler } from './catalog/catalog.handler.js';
import { ProductCatalog } from './catalog/product-catalog.js';
import { CheckoutInputsHandler } from './checkout/checkout-inputs.handler.js';
import { CheckoutOutboundMapping } from './checkout/checkout-outbound.mapping.js';
import { CheckoutProcess } from './checkout/checkout-process.js';
import { CHECKOUT_SAGA, checkoutSaga, type CheckoutSaga } from './checkout/checkout-saga.js';
import { CancelOrderController } from './features/cancel-order/cancel-order.controller.js';
import { RequestCancellationHandler } from './features/cancel-order/cancel-order.handler.js';
import { GetCheckoutController } from './features/get-checkout/get-checkout.controller.js';
import { GetCheckoutHandler } from './features/get-checkout/get-checkout.handler.js';
import { GetOrderController } from './features/get-order/get-order.controller.js';
import { GetOrderHandler } from './features/get-order/get-order.handler.js';
import { WaitForOutcomeHandler } from './features/get-order/wait-for-outcome.handler.js';
import { OrderChangesController } from './features/watch-orders/order-changes.controller.js';
import { OrderChangesFeed } from './features/watch-orders/order-changes.feed.js';
import { PlaceOrderController } from './features/place-order/place-order.controller.js';
import { PENDING_LIMITS, PlaceOrderHandler } from './features/place-order/place-order.handler.js';
import { OrderAccess } from './features/order-access.js';
import { ListOrdersController } from './features/list-orders/list-orders.controller.js';
import { ListOrdersHandler } from './features/list-orders/list-orders.handler.js';
import { OrderCommandsHandler } from './integration/order-commands.handler.js';
import { OrderOutboundMapping } from './integration/order-outbound.mapping.js';
import { DEFAULT_MAX_PENDING_ORDERS, DEFAULT_MAX_PENDING_UNITS } from './domain/pending-orders.js';

export interface OrderModuleOptions {
  /** How long the checkout waits for payment's answer to a charge. Default 30 s. */
  readonly paymentTimeoutMs?: number;
  /** How long the checkout waits for inventory's answer to a reservation. Default 30 s. */
  readonly reservationTimeoutMs?: number;
  /** How long an order may hold stock before payment has answered, from the request to reserve. Default 20 s. */
  readonly reservationTtlMs?: number;
  /** How often due checkout deadlines are looked for. Default 100 ms. */
  readonly deadlinePollMs?: number;
  /** Orders one customer may have pending at once. Default 20. */
  readonly maxPendingOrders?: number;
  /** Units one customer may have in pending orders. Default 10,000. */
  readonly maxPendingUnits?: number;
}

/**
 * The order context: orders, their catalog of prices, and the checkout saga. Needs the
 * host's `EVENT_STORE` and `PG_POOL` (global providers). Exports for the host's
 * messaging: the outbound mappings `OrderOutboundMapping` (order's integration events)
 * and `CheckoutOutboundMapping` (the saga's commands to inventory and payment), and the
 * handlers `CatalogHandler` (`order.catalog`), `CheckoutInputsHandler` (`order.checkout`)
 * and `OrderCommandsHandler` (`order.commands`: the saga decides its commands to the
 * order in its own appends, this takes those still sent as messages). The saga's feed
 * and deadlines run as the host's background work.
 */
@Module({})
export class OrderModule {
  /** The module as the configuration says: the checkout's timeouts and TTL, the limits on a customer's pending orders. */
  static fromConfig(
    config: Pick<
      Config,
      'CHECKOUT_PAYMENT_TIMEOUT_MS' | 'CHECKOUT_RESERVATION_TIMEOUT_MS' | 'RESERVATION_TTL_MS' | 'ORDER_MAX_PENDING_PER_CUSTOMER' | 'ORDER_MAX_PENDING_UNITS_PER_CUSTOMER'
    >,
  ): DynamicModule {
    return OrderModule.forRoot({
      paymentTimeoutMs: config.CHECKOUT_PAYMENT_TIMEOUT_MS,
      reservationTimeoutMs: config.CHECKOUT_RESERVATION_TIMEOUT_MS,
      reservationTtlMs: config.RESERVATION_TTL_MS,
      maxPendingOrders: config.ORDER_MAX_PENDING_PER_CUSTOMER,
      maxPendingUnits: config.ORDER_MAX_PENDING_UNITS_PER_CUSTOMER,
    });
  }

  static forRoot(options: OrderModuleOptions = {}): DynamicModule {
    return {
      module: OrderModule,
      // The changes' route comes before `orders/:id`, which would take `changes` for an id.
      controllers: [OrderChangesController, PlaceOrderController, ListOrdersController, GetOrderController, CancelOrderController, GetCheckoutController],
      providers: [
        { provide: CommandHandler, inject: [EVENT_STORE], useFactory: (store: EventStore) => new CommandHandler(store) },
        // The checkout decides its orders' commands in its own appends: on the orders' command handler.
        {
          provide: SagaRuntime,
          inject: [EVENT_STORE, CommandHandler],
          useFactory: (store: EventStore, commands: CommandHandler) => new SagaRuntime(store, { commands }),
        },
        {
          provide: CHECKOUT_SAGA,
          useValue: checkoutSaga({
            ...(options.paymentTimeoutMs !== undefined && { paymentTimeoutMs: options.paymentTimeoutMs }),
            ...(options.reservationTimeoutMs !== undefined && { reservationTimeoutMs: options.reservationTimeoutMs }),
            ...(options.reservationTtlMs !== undefined && { reservationTtlMs: options.reservationTtlMs }),
          }),
        },
        {
          provide: PENDING_LIMITS,
          useValue: { maxPendingOrders: options.maxPendingOrders ?? DEFAULT_MAX_PENDING_ORDERS, maxPendingUnits: options.maxPendingUnits ?? DEFAULT_MAX_PENDING_UNITS },
        },
        {
          provide: ProductCatalog,
          inject: [PG_POOL],
          useFactory: (pool: pg.Pool) => new ProductCatalog(pool),
        },
        PlaceOrderHandler,
        GetOrderHandler,
        WaitForOutcomeHandler,
        OrderAccess,
        ListOrdersHandler,
        RequestCancellationHandler,
        GetCheckoutHandler,
        OrderChangesFeed,
        { provide: OrderOutboundMapping, useValue: new OrderOutboundMapping() },
        { provide: CheckoutOutboundMapping, useValue: new CheckoutOutboundMapping() },
        { provide: CatalogHandler, inject: [ProductCatalog], useFactory: (catalog: ProductCatalog) => new CatalogHandler(catalog) },
        {
          provide: CheckoutInputsHandler,
          inject: [SagaRuntime, CHECKOUT_SAGA],
          useFactory: (runtime: SagaRuntime, saga: CheckoutSaga) => new CheckoutInputsHandler(runtime, saga),
        },
        { provide: OrderCommandsHandler, inject: [CommandHandler], useFactory: (commands: CommandHandler) => new OrderCommandsHandler(commands) },
        {
          provide: CheckoutProcess,
          inject: [PG_POOL, EVENT_STORE, SagaRuntime, CHECKOUT_SAGA, BACKGROUND_WORK, READ_SIDE_STATEMENTS],
          useFactory: async (pool: pg.Pool, store: EventStore, runtime: SagaRuntime, saga: CheckoutSaga, work: BackgroundWork, statements: StatementRunner) => {
            // The read models share the host's database: the deadlines join the projections' statements.
            const process = new CheckoutProcess(pool, store, runtime, saga, {
              ...(options.deadlinePollMs !== undefined && { deadlinePollMs: options.deadlinePollMs }),
              fence: work.fence,
              deadlineStatements: statements,
            });
            work.add('checkout', process);
            return process;
          },
        },
      ],
      exports: [
        OrderOutboundMapping,
        CheckoutOutboundMapping,
        CatalogHandler,
        CheckoutInputsHandler,
        OrderCommandsHandler,
        OrderAccess,
        WaitForOutcomeHandler,
        ListOrdersHandler,
        PlaceOrderHandler,
        RequestCancellationHandler,
        GetCheckoutHandler,
      ],
    };
  }
}
