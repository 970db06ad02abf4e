import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { streamName } from '@agora/event-sourcing';
import type { Principal } from '@agora/platform';
import { PROJECTIONS, type ChangeWatch, type ReadModelChanges } from '@agora/projections';
import { ORDER_CATEGORY } from '../../domain/order.js';
import type { OrderRow } from '../../read-model/order.row.js';
import { ordersProjection } from '../../read-model/orders.projection.js';
import { OrderAccess } from '../order-access.js';
import { GetOrderHandler } from './get-order.handler.js';
import { orderViewOf, type OrderView } from './order.view.js';

const TERMINAL: ReadonlySet<OrderView['status']> = new Set(['CONFIRMED', 'REJECTED', 'CANCELLED']);

export interface WaitForOutcome {
  /** The longest the answer waits. */
  readonly timeoutMs: number;
  /** Aborted when the client is gone: stop waiting for it. */
  readonly signal?: AbortSignal;
}

/**
 * An order once its checkout has ended (a long-poll): a waiting client costs no query
 * while nothing happens to its order, and when the projection commits a batch with events
 * of the order, the row comes with the news (the projection knows what it wrote). Where
 * the projection runs in this process and committed the order lately (as it did when the
 * order was placed), the first answer needs no read either; the row is read only when
 * no row is known (another instance runs the projection, or the order is an old one).
 */
@Injectable()
export class WaitForOutcomeHandler implements OnModuleDestroy {
  private readonly watches = new Set<ChangeWatch<OrderRow>>();
  private shuttingDown = false;

  constructor(
    private readonly access: OrderAccess,
    private readonly orders: GetOrderHandler,
    @Inject(PROJECTIONS) private readonly changes: ReadModelChanges,
  ) {}

  /**
   * The order as `principal` may see it, once it is CONFIRMED, REJECTED or CANCELLED, or as
   * it stands when `timeoutMs` has passed or `signal` aborts. 404 and 403 come at once.
   */
  async execute(principal: Principal, orderId: string, { timeoutMs, signal }: WaitForOutcome): Promise<OrderView> {
    const deadline = Date.now() + timeoutMs;
    // Opened before the first read, so a batch committed in between still wakes it.
    const watch = this.changes.watch<OrderRow>(ordersProjection.name, streamName(ORDER_CATEGORY, orderId));
    this.watches.add(watch);
    if (this.shuttingDown) watch.close();
    try {
      // The projection running here may have committed the row lately, and remember it.
      const known = watch.row;
      let order = known ? this.access.shown(principal, orderId, orderViewOf(known)) : await this.access.orderFor(principal, orderId);
      while (!TERMINAL.has(order.status)) {
        const left = deadline - Date.now();
        if (left <= 0 || !(await watch.next(left, signal))) break;
        const row = watch.row;
        order = row ? orderViewOf(row) : ((await this.orders.execute(orderId)) ?? order);
      }
      return order;
    } finally {
      watch.close();
      this.watches.delete(watch);
    }
  }

  // A shutdown destroys the modules first, those nearest the root before the others: this
  // comes before the GraphQL server's drain (its module's destroy), which closes the HTTP
  // server and waits up to 10 s for the requests in flight, then cuts them off unanswered.
  onModuleDestroy(): void {
    this.shuttingDown = true;
    for (const watch of this.watches) watch.close();
  }
}
