/**
 * The first command on a hot product after a restart: a product with 100,000 orders
 * behind it (each reserved, then sold), then a new process (a new pool and command
 * handler, nothing remembered) reserves stock for one more order. Timed with and
 * without the product's snapshot, taking turns, median of 3.
 *
 *   npm run bench:hot-product                        embedded PostgreSQL in a temp dir
 *   BENCH_ORDERS=20000 BENCH_ROUNDS=5 npm run bench:hot-product
 *   BENCH_DATABASE_URL=postgres://… npm run bench:hot-product
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { closePostgresPool, createPostgresPool } from '../libs/platform/src/database/postgres-pool.js';
import { CommandHandler, PostgresEventStore, PostgresSnapshotStore, requestContext, withMetadata, type NewEvent } from '@agora/event-sourcing';
import { PRODUCT_CATEGORY, productDecider, type Product, type ProductCommand, type ProductEvent } from '@agora/inventory';
import { benchDatabase } from './database.js';
import { median } from './statistics.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Events per append while the history is written. */
const BATCH = 5_000;
const SKU = 'HOT-1';
const STREAM = `${PRODUCT_CATEGORY}-${SKU}`;

/** Writes the product's history through the real decider: every event is one it decided. */
async function writeHistory(store: PostgresEventStore): Promise<number> {
  const context = requestContext();
  let state: Product = productDecider.initialState();
  let pending: NewEvent<ProductEvent>[] = [];
  let revision: number | 'no-stream' = 'no-stream';
  const run = async (command: ProductCommand) => {
    for (const event of productDecider.decide(command, state)) {
      state = productDecider.evolve(state, event);
      pending.push(withMetadata(event, context, new Date()));
    }
    if (pending.length >= BATCH) await flush();
  };
  const flush = async () => {
    if (pending.length === 0) return;
    revision = (await store.appendToStream(STREAM, pending, revision)).nextExpectedRevision;
    pending = [];
  };
  await run({ type: 'add-product', sku: SKU, name: 'A hot product', priceCents: 999, currency: 'EUR', initialStock: 1_000_000 });
  for (let i = 0; i < ORDERS; i++) {
    const orderId = randomUUID();
    await run({ type: 'reserve-stock', sku: SKU, orderId, quantity: 1 });
    await run({ type: 'sell-stock', sku: SKU, orderId, hold: i + 1 });
  }
  await flush();
  return typeof revision === 'number' ? revision + 1 : 0;
}

/** A restarted process: a new pool, store and command handler; the time of its first command, in ms. */
async function firstCommand(url: string, withSnapshots: boolean): Promise<number> {
  const pool = createPostgresPool({ url, size: 2 });
  const store = new PostgresEventStore(pool);
  const handler = new CommandHandler(store, withSnapshots ? { snapshots: new PostgresSnapshotStore(pool) } : {});
  try {
    const started = performance.now();
    const { events } = await handler.handle(productDecider, STREAM, { type: 'reserve-stock', sku: SKU, orderId: randomUUID(), quantity: 1 }, requestContext());
    const elapsed = performance.now() - started;
    if (events.length !== 1) throw new Error('The first command reserved nothing.');
    await handler.snapshotsWritten();
    return elapsed;
  } finally {
    await store.close();
    await closePostgresPool(pool);
  }
}

async function main(): Promise<void> {
  const database = await benchDatabase('agora_bench_hot_product');
  const pool = createPostgresPool({ url: database.url, size: 4 });
  const store = new PostgresEventStore(pool);
  const snapshots = new PostgresSnapshotStore(pool);
  try {
    await store.migrate();
    await snapshots.migrate();
    await pool.query(`DELETE FROM event_store.events WHERE stream_name = $1`, [STREAM]);
    await pool.query(`DELETE FROM event_store.snapshots WHERE stream_name = $1`, [STREAM]);
    let started = performance.now();
    const events = await writeHistory(store);
    console.log(`history: ${ORDERS} orders, ${events} events, written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // The snapshot a running host would have: written by a handler that loaded the product.
    started = performance.now();
    const writer = new CommandHandler(store, { snapshots });
    await writer.load(productDecider, STREAM);
    await writer.snapshotsWritten();
    const snapshot = await snapshots.load(STREAM);
    if (!snapshot) throw new Error('No snapshot was written.');
    console.log(`snapshot at revision ${snapshot.revision}: ${JSON.stringify(snapshot.state).length} bytes of JSON (written after a full fold of ${((performance.now() - started) / 1000).toFixed(1)} s)`);

    const without: number[] = [];
    const withSnapshot: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      without.push(await firstCommand(database.url, false));
      withSnapshot.push(await firstCommand(database.url, true));
      console.log(`round ${round}: without snapshot ${without.at(-1)!.toFixed(1)} ms, with snapshot ${withSnapshot.at(-1)!.toFixed(1)} ms`);
    }
    console.log(`\nfirst command after a restart, median of ${ROUNDS}:`);
    console.log(`  folding the whole stream (${events}+ events): ${median(without).toFixed(1)} ms`);
    console.log(`  from the snapshot and the events after it:  ${median(withSnapshot).toFixed(1)} ms`);
  } finally {
    await store.close();
    await closePostgresPool(pool);
    await database.close();
  }
}

await main();
