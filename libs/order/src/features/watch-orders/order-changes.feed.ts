import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { comparePositions, EVENT_STORE, type EventStore, type GlobalPosition } from '@agora/event-sourcing';
import { PROJECTIONS, ProjectionCheckpoints, type ReadModelChanges } from '@agora/projections';
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable } from 'rxjs';
import { DataSource, In } from 'typeorm';
import { ORDER_CATEGORY } from '../../domain/order.js';
import { OrderRow } from '../../read-model/order.row.js';
import { ordersProjection } from '../../read-model/orders.projection.js';
import { orderViewOf, type OrderView } from '../get-order/order.view.js';

/**
 * What the feed sends: the orders changed up to `position`; or, first and after a gap too
 * long to replay, that the client should read its page again (`reset`); or that nothing
 * changed for a while (`alive`).
 */
export type OrderChange =
  | { readonly kind: 'orders'; readonly position: GlobalPosition; readonly orders: OrderView[] }
  | { readonly kind: 'reset' | 'alive'; readonly position: GlobalPosition };

/** Where a feed of an empty log stands: before every event. */
const BEGINNING: GlobalPosition = { commit: 0, prepare: 0 };

/** Order events a client may be behind and still be sent each change; past it, a `reset`. */
const CATCH_UP_LIMIT = 1000;
/** Least time between two sends to one client: a busy shop's batches are coalesced. */
const MIN_INTERVAL_MS = 250;
/** How long a client waits for a change before the feed looks again (and says it is alive). */
const IDLE_MS = 20_000;

/**
 * Every order's changes as the orders read model commits them, for a client that keeps a
 * live table (the operations console). The position is the projection's checkpoint: a
 * client that reconnects with the last one it got (`Last-Event-ID`) misses nothing. Which
 * orders changed comes from the log between two checkpoints (order events only); their
 * rows are read after the checkpoint, so each is at least as new as the events read.
 * Woken by the projection's commits, here or (in a standby instance) by its checkpoint.
 */
@Injectable()
export class OrderChangesFeed implements OnModuleDestroy {
  private readonly checkpoints: ProjectionCheckpoints;
  private readonly open = new Set<AbortController>();
  private shuttingDown = false;

  constructor(
    private readonly readModels: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTIONS) private readonly changes: ReadModelChanges,
  ) {
    this.checkpoints = new ProjectionCheckpoints(readModels);
  }

  /**
   * The changes after `after` (from now on without it): first a `reset` or the changes
   * missed, then each as it is committed, until the subscriber unsubscribes or the host
   * shuts down; an `alive` after `IDLE_MS` without a change (proxies close silent connections).
   */
  follow(after: GlobalPosition | undefined): Observable<OrderChange> {
    return new Observable<OrderChange>((subscriber) => {
      const stop = new AbortController();
      this.open.add(stop);
      if (this.shuttingDown) stop.abort();
      this.run(after, stop.signal, (change) => subscriber.next(change)).then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        stop.abort();
        this.open.delete(stop);
      };
    });
  }

  private async run(after: GlobalPosition | undefined, signal: AbortSignal, send: (change: OrderChange) => void): Promise<void> {
    // Opened before the first read of the checkpoint, so that no commit falls in between.
    const watch = this.changes.watch(ordersProjection.name);
    try {
      let cursor = after ?? (await this.checkpoints.load(ordersProjection.name)) ?? BEGINNING;
      if (!after) send({ kind: 'reset', position: cursor });
      let lastSent = 0;
      while (!signal.aborted) {
        const checkpoint = await this.checkpoints.load(ordersProjection.name);
        if (checkpoint && comparePositions(checkpoint, cursor) > 0) {
          const wait = lastSent + MIN_INTERVAL_MS - Date.now();
          if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
          if (signal.aborted) break;
          const change = await this.changesBetween(cursor, checkpoint);
          send(change);
          cursor = checkpoint;
          lastSent = Date.now();
          continue;
        }
        if (!(await watch.next(IDLE_MS, signal)) && !signal.aborted) send({ kind: 'alive', position: cursor });
      }
    } finally {
      watch.close();
    }
  }

  /** The orders with events after `from` up to `to`, as the read model has them now; a `reset` past the catch-up limit. */
  private async changesBetween(from: GlobalPosition, to: GlobalPosition): Promise<OrderChange> {
    const ids = new Set<string>();
    let after = from;
    let read = 0;
    for (;;) {
      const page = await this.store.readAll({ after, categories: [ORDER_CATEGORY], maxCount: 500 });
      for (const event of page) {
        if (comparePositions(event.position, to) > 0) break;
        ids.add((event.data as { orderId: string }).orderId);
        if (++read > CATCH_UP_LIMIT) return { kind: 'reset', position: to };
      }
      const last = page.at(-1);
      if (!last || page.length < 500 || comparePositions(last.position, to) >= 0) break;
      after = last.position;
    }
    const rows = ids.size === 0 ? [] : await this.readModels.getRepository(OrderRow).findBy({ orderId: In([...ids]) });
    return { kind: 'orders', position: to, orders: rows.map(orderViewOf) };
  }

  // A shutdown destroys the modules first, those nearest the root before the others: this
  // comes before the GraphQL server's drain (its module's destroy), which closes the HTTP
  // server and waits up to 10 s for the requests in flight, then cuts them off unanswered.
  onModuleDestroy(): void {
    this.shuttingDown = true;
    for (const stop of this.open) stop.abort();
  }
}
