/**
 * Event store throughput and latency against PostgreSQL with default durability (fsync
 * on), next to pgbench running a single-row insert on the same server in the same run.
 *
 *   npm run bench:event-store                 embedded PostgreSQL in a temp dir
 *   BENCH_DATABASE_URL=postgres://… npm run bench:event-store
 *   BENCH_SECONDS=10 BENCH_ROUNDS=5 npm run bench:event-store
 *   BENCH_WRITERS=16 BENCH_PER_APPEND=1 npm run bench:event-store
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { closePostgresPool, createPostgresPool } from '../libs/platform/src/database/postgres-pool.js';
import { PostgresEventStore, requestContext, withMetadata, type NewEvent } from '@agora/event-sourcing';
import { benchDatabase } from './database.js';
import { median, percentile } from './statistics.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
/** Each figure is the median of this many runs, ours and pgbench's taking turns: this machine is noisy. */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const WRITERS = (process.env["BENCH_WRITERS"] ?? "1,4,16").split(",").map(Number);
const EVENTS_PER_APPEND = (process.env["BENCH_PER_APPEND"] ?? "1,10").split(",").map(Number);
const run = promisify(execFile);

interface Figures {
  /** Share of one core that this Node process used: the client's cost, which pgbench's C client barely has. */
  clientCpu: number;
  appendsPerSecond: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
}

function orderEvents(count: number): NewEvent[] {
  const context = requestContext();
  return Array.from({ length: count }, (_, i) =>
    withMetadata(
      { type: 'order.line-added.v1', data: { orderId: randomUUID(), sku: `SKU-${i}`, quantity: 1 + (i % 3), priceCents: 1999, currency: 'EUR' } },
      context,
      new Date(),
    ),
  );
}

async function appendLoad(store: PostgresEventStore, writers: number, perAppend: number): Promise<Figures> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      // Each writer extends its own streams with exact expected revisions, as command handlers do.
      let stream = `benchorder-${randomUUID()}`;
      let revision: number | 'no-stream' = 'no-stream';
      while (performance.now() < deadline) {
        const events = orderEvents(perAppend);
        const t0 = performance.now();
        const result = await store.appendToStream(stream, events, revision);
        latencies.push(performance.now() - t0);
        revision = result.nextExpectedRevision;
        if (revision >= 100) [stream, revision] = [`benchorder-${randomUUID()}`, 'no-stream'];
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return {
    clientCpu: (used.user + used.system) / 1e6 / elapsed,
    appendsPerSecond: latencies.length / elapsed,
    eventsPerSecond: (latencies.length * perAppend) / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** pgbench's transaction through the same Node client: separates our append's cost from the client's. */
async function nodeInsertLoad(pool: pg.Pool, writers: number): Promise<number> {
  let inserts = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < deadline) {
        await pool.query({ name: 'bench-single-row', text: 'INSERT INTO pgbench_single_row (payload) VALUES ($1)', values: ['order.line-added.v1'] });
        inserts++;
      }
    }),
  );
  return inserts / ((performance.now() - started) / 1000);
}

async function catchUpRead(store: PostgresEventStore): Promise<{ events: number; perSecond: number }> {
  const started = performance.now();
  let events = 0;
  for (let page = await store.readAll({ maxCount: 1000 }); page.length > 0; page = await store.readAll({ maxCount: 1000, after: page[page.length - 1]!.position })) {
    events += page.length;
  }
  return { events, perSecond: events / ((performance.now() - started) / 1000) };
}

async function subscriptionCatchUp(store: PostgresEventStore, total: number): Promise<number> {
  const started = performance.now();
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribe({}, async (batch) => {
      seen += batch.length;
      if (seen >= total) void subscription.stop().then(resolve);
    });
    subscription.closed.catch(reject);
  });
  return seen / ((performance.now() - started) / 1000);
}

/**
 * One story's events (`readByCorrelation`) for correlation ids taken from across the log,
 * each read twice after one untimed read: through the index, then once more after dropping
 * it, as a store without it would read them (a scan of the whole log).
 */
async function storyReads(store: PostgresEventStore, pool: pg.Pool, schema: string): Promise<{ stories: number; indexed: number; scanned: number }> {
  const { rows } = await pool.query<{ id: string }>(`SELECT DISTINCT metadata ->> 'correlationId' AS id FROM ${schema}.events TABLESAMPLE SYSTEM (1) LIMIT 50`);
  const ids = rows.map((row) => row.id);
  const timed = async (): Promise<number> => {
    const latencies: number[] = [];
    for (const id of ids) {
      const t0 = performance.now();
      if ((await store.readByCorrelation(id)).length === 0) throw new Error(`no event of story ${id}`);
      latencies.push(performance.now() - t0);
    }
    return median(latencies);
  };
  await store.readByCorrelation(ids[0]!);
  const indexed = await timed();
  await pool.query(`DROP INDEX ${schema}.events_by_correlation`);
  const scanned = await timed();
  return { stories: ids.length, indexed, scanned };
}

function pgbenchBinary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) if (existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  return undefined;
}

async function pgbench(binary: string, url: string, clients: number): Promise<number> {
  const script = join(tmpdir(), `agora-pgbench-${randomUUID()}.sql`);
  await writeFile(script, "INSERT INTO pgbench_single_row (payload) VALUES ('order.line-added.v1');\n");
  try {
    const { stdout } = await run(binary, ['-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS), '-f', script, url]);
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Number(tps[1]);
  } finally {
    await rm(script, { force: true });
  }
}

async function main(): Promise<void> {
  const database = await benchDatabase('bench', ['-c', 'max_connections=100']);
  const { url } = database;
  const pool = createPostgresPool({ url, size: 20 });
  try {
    const settings = await pool.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'server_version') ORDER BY name",
    );
    console.log(`PostgreSQL ${settings.rows.map((row) => `${row.name}=${row.setting}`).join(' ')}; median of ${ROUNDS} runs of ${SECONDS} s`);
    await pool.query('DROP SCHEMA IF EXISTS bench_event_store CASCADE');
    const store = new PostgresEventStore(pool, { schema: 'bench_event_store' });
    await store.migrate();
    await pool.query('CREATE TABLE IF NOT EXISTS pgbench_single_row (id bigserial PRIMARY KEY, payload text NOT NULL)');

    const binary = pgbenchBinary();
    console.log('\nwriters  events/append  appends/s  events/s  p50 ms  p99 ms  client cpu  pgbench tps  ratio  node-pg inserts/s  ratio');
    for (const perAppend of EVENTS_PER_APPEND) {
      for (const writers of WRITERS) {
        const runs: Figures[] = [];
        const tpsRuns: number[] = [];
        const nodeRuns: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          runs.push(await appendLoad(store, writers, perAppend));
          if (perAppend !== 1) continue;
          if (binary) tpsRuns.push(await pgbench(binary, url, writers));
          nodeRuns.push(await nodeInsertLoad(pool, writers));
        }
        const figures: Figures = {
          clientCpu: median(runs.map((r) => r.clientCpu)),
          appendsPerSecond: median(runs.map((r) => r.appendsPerSecond)),
          eventsPerSecond: median(runs.map((r) => r.eventsPerSecond)),
          p50: median(runs.map((r) => r.p50)),
          p99: median(runs.map((r) => r.p99)),
        };
        const tps = tpsRuns.length > 0 ? median(tpsRuns) : undefined;
        const nodeInserts = nodeRuns.length > 0 ? median(nodeRuns) : undefined;
        console.log(
          [
            String(writers).padStart(7),
            String(perAppend).padStart(14),
            figures.appendsPerSecond.toFixed(0).padStart(10),
            figures.eventsPerSecond.toFixed(0).padStart(9),
            figures.p50.toFixed(2).padStart(7),
            figures.p99.toFixed(2).padStart(7),
            `${(figures.clientCpu * 100).toFixed(0)}%`.padStart(11),
            (tps?.toFixed(0) ?? '-').padStart(12),
            (tps ? `${((figures.appendsPerSecond / tps) * 100).toFixed(0)}%` : '-').padStart(6),
            (nodeInserts?.toFixed(0) ?? '-').padStart(18),
            (nodeInserts ? `${((figures.appendsPerSecond / nodeInserts) * 100).toFixed(0)}%` : '-').padStart(6),
          ].join(' '),
        );
      }
    }
    if (!binary) console.log('pgbench not found on PATH (Debian: apt-get install postgresql-contrib / postgresql-client): no ratio.');

    const read = await catchUpRead(store);
    console.log(`\ncatch-up read (readAll, pages of 1000): ${read.events} events at ${read.perSecond.toFixed(0)} events/s`);
    const live = await subscriptionCatchUp(store, read.events);
    console.log(`catch-up through a subscription:       ${read.events} events at ${live.toFixed(0)} events/s`);
    const stories = await storyReads(store, pool, 'bench_event_store');
    console.log(`one story's events (readByCorrelation), ${stories.stories} stories, p50: ${stories.indexed.toFixed(2)} ms; without the index: ${stories.scanned.toFixed(2)} ms`);
    await store.close();
  } finally {
    await closePostgresPool(pool);
    await database.close();
  }
}

await main();
