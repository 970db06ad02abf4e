import { Logger, Module } from '@nestjs/common';
import { CommandHandler, EVENT_STORE, SNAPSHOT_STORE, type EventStore, type SnapshotStore } from '@agora/event-sourcing';
import { AddProductController } from './features/add-product/add-product.controller.js';
import { AddProductHandler } from './features/add-product/add-product.handler.js';
import { AddStockController } from './features/add-stock/add-stock.controller.js';
import { AddStockHandler } from './features/add-stock/add-stock.handler.js';
import { CommitReservationHandler } from './features/commit-reservation/commit-reservation.handler.js';
import { GetProductController } from './features/get-product/get-product.controller.js';
import { GetProductHandler } from './features/get-product/get-product.handler.js';
import { ListProductsController } from './features/list-products/list-products.controller.js';
import { ListProductsHandler } from './features/list-products/list-products.handler.js';
import { ProductStock } from './features/product-stock.js';
import { ReleaseReservationHandler } from './features/release-reservation/release-reservation.handler.js';
import { ReserveStockHandler } from './features/reserve-stock/reserve-stock.handler.js';
import { InventoryCommandsHandler } from './integration/inventory-commands.handler.js';
import { InventoryOutboundMapping } from './integration/inventory-outbound.mapping.js';

/**
 * Every order appended to a product makes the others that decided on the same revision
 * decide again, so a burst of orders for one product needs more than the default 5
 * attempts. Past this, the API answers 409 and a message is retried by the transport.
 */
export const INVENTORY_WRITE_ATTEMPTS = 25;

/**
 * The inventory context: products, stock and order reservations. Needs `EVENT_STORE`
 * from a global module of the host, and uses its `SNAPSHOT_STORE` when there is one (a
 * product restarts from its snapshot instead of folding every order); hands the host its outbound mapping and its handler
 * of the saga's commands for the messaging runtime.
 */
@Module({
  controllers: [AddProductController, AddStockController, ListProductsController, GetProductController],
  providers: [
    {
      provide: CommandHandler,
      inject: [EVENT_STORE, { token: SNAPSHOT_STORE, optional: true }],
      useFactory: (store: EventStore, snapshots?: SnapshotStore) => {
        const logger = new Logger('InventorySnapshots');
        return new CommandHandler(store, {
          maxAttempts: INVENTORY_WRITE_ATTEMPTS,
          snapshots,
          onSnapshotFailure: (message, error) => logger.warn(`${message} ${String(error)}`),
        });
      },
    },
    ProductStock,
    AddProductHandler,
    AddStockHandler,
    GetProductHandler,
    ListProductsHandler,
    ReserveStockHandler,
    ReleaseReservationHandler,
    CommitReservationHandler,
    InventoryOutboundMapping,
    InventoryCommandsHandler,
  ],
  exports: [InventoryOutboundMapping, InventoryCommandsHandler, AddProductHandler, AddStockHandler, GetProductHandler, ListProductsHandler],
})
export class InventoryModule {}
