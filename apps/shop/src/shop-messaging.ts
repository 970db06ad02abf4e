import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { InventoryCommandsHandler, InventoryOutboundMapping } from '@agora/inventory';
import { InProcessMessaging } from '@agora/messaging';
import { CatalogHandler, CheckoutInputsHandler, CheckoutOutboundMapping, OrderCommandsHandler, OrderOutboundMapping } from '@agora/order';
import { PaymentCommandsHandler, PaymentOutboundMapping } from '@agora/payment';
import { PG_POOL } from '@agora/platform';
import { RecommendationOrdersHandler } from '@agora/recommendation';
import type pg from 'pg';

export const DUPLICATE_DELIVERY = Symbol('DuplicateDelivery');

/**
 * The contexts' relays and handlers on the in-process transport. Starts once every
 * module is ready and stops before the pool and the store are closed.
 */
@Injectable()
export class ShopMessaging implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Messaging');
  private readonly messaging: InProcessMessaging;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(DUPLICATE_DELIVERY) duplicateDelivery: boolean,
    inventoryOutbound: InventoryOutboundMapping,
    inventoryCommands: InventoryCommandsHandler,
    paymentOutbound: PaymentOutboundMapping,
    paymentCommands: PaymentCommandsHandler,
    orderOutbound: OrderOutboundMapping,
    checkoutOutbound: CheckoutOutboundMapping,
    catalog: CatalogHandler,
    checkoutInputs: CheckoutInputsHandler,
    orderCommands: OrderCommandsHandler,
    recommendationOrders: RecommendationOrdersHandler,
  ) {
    this.messaging = new InProcessMessaging(store, pool, {
      outbound: [inventoryOutbound, paymentOutbound, orderOutbound, checkoutOutbound],
      handlers: [inventoryCommands, paymentCommands, catalog, checkoutInputs, orderCommands, recommendationOrders],
      transport: { duplicateDelivery },
      onError: (error, where) => this.logger.warn(`${where}: ${error instanceof Error ? error.message : String(error)}`),
    });
    if (duplicateDelivery) this.logger.warn('Fault injection: every integration message is delivered twice.');
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.messaging.stop();
  }
}
