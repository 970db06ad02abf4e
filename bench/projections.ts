/**
 * Read-model projections: how fast the orders read model is rebuilt from the log, and how
 * far behind a live projection stays under a steady write rate.
 *
 *   npm run bench:projections
 *   BENCH_EVENTS=50000 BENCH_RATE=1000 npm run bench:projections
 *   BENCH_DATABASE_URL=postgres://… npm run bench:projections
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { closePostgresPool, createPostgresPool } from '../libs/platform/src/database/postgres-pool.js';
import { PostgresEventStore, requestContext, streamName, withMetadata, type NewEvent } from '@agora/event-sourcing';
import { orderReadModel } from '../libs/order/src/read-model/order-read-model.js';
import { openReadModels, ProjectionRunner, rebuildProjection } from '@agora/projections';
import { benchDatabase } from './database.js';
import { percentile } from './statistics.js';

/** Order events appended before the rebuild (four per order). */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
/** Events per second appended during the lag measurement. */
const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const LAG_SECONDS = Number(process.env['BENCH_LAG_SECONDS'] ?? 20);
const WRITERS = 16;

/** One order's life as four events: placed, cancellation requested, cancelled or confirmed. */
function orderHistory(orderId: string, n: number): NewEvent[] {
  const at = new Date().toISOString();
  const terms = { orderId, customerId: `c-${n % 1000}`, lines: [{ sku: `SKU-${n % 50}`, quantity: 1 + (n % 3), unitPriceCents: 999 }], currency: 'EUR', totalCents: 999 * (1 + (n % 3)), at };
  const context = requestContext();
  return [
    { type: 'order.placed.v1', data: { ...terms, paymentToken: 'tok_visa', requestHash: 'bench' } },
    { type: 'order.cancellation-requested.v1', data: { orderId, at } },
    n % 2 === 0 ? { type: 'order.cancelled.v1', data: { orderId, at } } : { type: 'order.confirmed.v1', data: terms },
    { type: 'order.rejected.v1', data: { orderId, reason: 'bench', at } },
  ].map((event) => withMetadata(event, context, new Date()));
}

async function main(): Promise<void> {
  const database = await benchDatabase('bench_projections');
  const pool = createPostgresPool({ url: database.url, size: WRITERS + 2 });
  const store = new PostgresEventStore(pool, { schema: 'bench_projections_store' });
  const readModels = await openReadModels({ url: database.url, readModels: [orderReadModel] });
  try {
    await store.migrate();
    const projection = orderReadModel.projections[0]!;

    // The log to rebuild from.
    const orders = Math.ceil(EVENTS / 4);
    let next = 0;
    const filling = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let n = next++; n < orders; n = next++) {
          const orderId = randomUUID();
          await store.appendToStream(streamName('order', orderId), orderHistory(orderId, n), 'no-stream');
        }
      }),
    );
    console.log(`appended ${orders * 4} order events (${orders} orders) in ${((performance.now() - filling) / 1000).toFixed(1)} s`);
    // As autovacuum would soon after such a load: without statistics the planner takes the
    // table for nearly empty and reads each page by collecting and sorting every later event.
    await pool.query('ANALYZE bench_projections_store.events');

    // Rebuild from zero into fresh tables, then switch.
    const rebuilt = await rebuildProjection(readModels, store, projection);
    const rows = await readModels.query('SELECT count(*)::int AS n FROM order_read.orders');
    console.log(`rebuild: ${rebuilt.events} events in ${rebuilt.seconds.toFixed(2)} s = ${Math.round(rebuilt.events / rebuilt.seconds)} events/s (${rows[0].n} orders)`);

    // Steady state: a live runner while orders arrive at RATE events/s; each append's lag
    // is the time from its commit to the projection's commit that includes it.
    const runner = new ProjectionRunner(readModels, store, projection);
    runner.start();
    const lags: number[] = [];
    const waits: Promise<void>[] = [];
    const interval = 4000 / RATE; // four events per append
    const started = performance.now();
    for (let n = 0; performance.now() - started < LAG_SECONDS * 1000; n++) {
      const due = started + n * interval;
      if (due > performance.now()) await sleep(due - performance.now());
      const orderId = randomUUID();
      waits.push(
        store.appendToStream(streamName('order', orderId), orderHistory(orderId, n), 'no-stream').then(async ({ position }) => {
          const committed = performance.now();
          if (await runner.waitFor(position, 10_000)) lags.push(performance.now() - committed);
        }),
      );
    }
    await Promise.all(waits);
    await runner.stop();
    const appended = waits.length * 4;
    const seconds = (performance.now() - started) / 1000;
    lags.sort((a, b) => a - b);
    console.log(
      `steady state: ${appended} events at ${Math.round(appended / seconds)} events/s for ${seconds.toFixed(0)} s; ` +
        `lag from append to read model p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms, max ${lags.at(-1)!.toFixed(1)} ms` +
        (lags.length < waits.length ? ` (${waits.length - lags.length} appends not projected within 10 s)` : ''),
    );
  } finally {
    await readModels.destroy();
    await store.close();
    await closePostgresPool(pool);
    await database.close();
  }
}

await main();
