/**
 * Checkout throughput through the real hosts: N orders placed by C concurrent customers
 * over HTTP; each is timed from POST to its terminal status (waited for with the
 * long-poll GET /api/orders/{id}?wait=terminal, or polled with BENCH_WAIT=poll).
 *
 *   npm run build && npm run bench:checkout                         the all-in-one host
 *   npm run build && BENCH_MODE=distributed npm run bench:checkout  one app per context over Kafka
 *   BENCH_ORDERS=2000 BENCH_CONCURRENCY=64 npm run bench:checkout
 *   BENCH_WAIT=poll BENCH_POLL_MS=20 npm run bench:checkout         polling instead of the long-poll
 *   BENCH_URL=http://127.0.0.1:3000 npm run bench:checkout          against a running shop
 *
 * Distributed mode uses KAFKA_BROKERS when set, else starts a broker of its own
 * (scripts/kafka.sh on free ports), and one embedded PostgreSQL with a database per app.
 *
 * Unless BENCH_DATABASE_URL or BENCH_URL is given, the benchmark starts PostgreSQL itself
 * (default durability) with pg_stat_statements, and reports the statements and commits
 * per order that the system under test sent during the measured run, with the most
 * frequent statements (BENCH_TOP_STATEMENTS, default 15).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { closePostgresPool, createPostgresPool } from '../libs/platform/src/database/postgres-pool.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedPostgresServer } from '../libs/platform/src/database/embedded-postgres-server.js';
import { CONTEXT_APPS, DistributedShop } from '../libs/testing/src/distributed-shop.js';
import { freePort } from '../libs/testing/src/free-port.js';
import { HostProcess } from '../libs/testing/src/host-process.js';
import { LocalKafka } from '../libs/testing/src/local-kafka.js';
import { cpuSeconds, machineBusySeconds } from './process-cpu.js';
import { percentile } from './statistics.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 1000);
/**
 * Orders placed the same way before the measured run, untimed: the processes (V8, the
 * broker's JVM) compile their hot paths in the first seconds, and that cost belongs to a
 * start, not to the steady state the figures describe. 0 measures from a cold start.
 */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? Math.min(500, ORDERS));
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
/** Orders spread over this many products, one line each. */
const PRODUCTS = Number(process.env['BENCH_PRODUCTS'] ?? 20);
/** How a customer learns its order's outcome: one long-poll at a time, or a GET every BENCH_POLL_MS. */
const WAIT = process.env['BENCH_WAIT'] ?? 'long-poll';
if (WAIT !== 'long-poll' && WAIT !== 'poll') throw new Error(`BENCH_WAIT must be long-poll or poll, not ${WAIT}`);
const POLL_MS = Number(process.env['BENCH_POLL_MS'] ?? 20);
const DISTRIBUTED = process.env['BENCH_MODE'] === 'distributed';
/** Also report when each step of an order happens, counted from its POST. */
const STEPS = process.env['BENCH_STEPS'] === '1';
/** Node options for the host or every app, e.g. '--cpu-prof --cpu-prof-dir=/tmp/agora-prof' to profile them. */
const NODE_ARGS = process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
/**
 * More settings for the benchmark's own PostgreSQL, e.g. '-c synchronous_commit=off' to
 * see what waiting for the WAL flush of each commit costs: an experiment, not the system
 * as it runs.
 */
const PG_FLAGS = process.env['BENCH_PG_FLAGS']?.split(' ').filter(Boolean) ?? [];
/** More environment for the host or every app, `NAME=value` separated by spaces: e.g. the OTEL_* variables that turn tracing on. */
const HOST_ENV = Object.fromEntries(
  (process.env['BENCH_ENV']?.split(' ').filter(Boolean) ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`BENCH_ENV takes NAME=value pairs, not ${pair}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
/** The built all-in-one host to run, e.g. another checkout's build as a baseline. Default: this one's. */
const ENTRY = process.env['BENCH_ENTRY'];
/** While the measured run goes, each process's /metrics is read this often, as Prometheus would; 0: never. */
const SCRAPE_MS = Number(process.env['BENCH_SCRAPE_MS'] ?? 0);

async function call<T>(method: string, url: string, body?: unknown, token?: string, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const headers = { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }), ...extraHeaders };
  const response = await fetch(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Where a path is served: the one host, or the app of its context. */
type Route = (path: string) => string;

/** Statement counts of the server the benchmark started: reset before the measured run, read after it. */
interface StatementCounter {
  reset(): Promise<void>;
  report(orders: number): Promise<void>;
  /** When each recorded event of the timed orders was written, by correlation id, from every event store of the server. */
  eventTimes(correlationIds: readonly string[]): Promise<{ correlationId: string; step: string; at: number }[]>;
}

/** An embedded PostgreSQL of the benchmark's own, with pg_stat_statements loaded. */
async function startPostgres(dir: string): Promise<{ server: EmbeddedPostgresServer; statements: StatementCounter }> {
  const server = await EmbeddedPostgresServer.start({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    flags: ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all', '-c', 'max_connections=300', ...PG_FLAGS],
  });
  const admin = createPostgresPool({ url: server.url(), size: 1 });
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  let commitsBefore = 0;
  let flushesBefore = 0;
  const commits = async () =>
    Number((await admin.query<{ n: string }>("SELECT sum(xact_commit)::bigint AS n FROM pg_stat_database WHERE datname LIKE 'agora%'")).rows[0]!.n);
  // What a commit waits for with default durability; the server's whole, the benchmark's own statements included.
  const flushes = async () => Number((await admin.query<{ n: string }>("SELECT sum(fsyncs)::bigint AS n FROM pg_stat_io WHERE object = 'wal'")).rows[0]!.n);
  return {
    server,
    statements: {
      reset: async () => {
        await admin.query('SELECT pg_stat_statements_reset()');
        commitsBefore = await commits();
        flushesBefore = await flushes();
      },
      report: async (orders) => {
        const own = "dbid IN (SELECT oid FROM pg_database WHERE datname LIKE 'agora%') AND query NOT ILIKE '%pg_stat%'";
        const { rows } = await admin.query<{ calls: string; ms: number; toplevel: boolean; query: string; database: string }>(
          `SELECT calls, total_exec_time AS ms, toplevel, regexp_replace(query, '\\s+', ' ', 'g') AS query, d.datname AS database
           FROM pg_stat_statements JOIN pg_database d ON d.oid = dbid WHERE ${own} ORDER BY calls DESC`,
        );
        const total = rows.reduce((sum, row) => sum + Number(row.calls), 0);
        const time = rows.reduce((sum, row) => sum + row.ms, 0);
        // A nested statement's time is also in the statement around it.
        const executing = rows.reduce((sum, row) => sum + (row.toplevel ? row.ms : 0), 0);
        const transactions = (await commits()) - commitsBefore;
        const walFlushes = (await flushes()) - flushesBefore;
        console.log(
          `PostgreSQL statements per order: ${(total / orders).toFixed(1)} (commits per order: ${(transactions / orders).toFixed(1)}, WAL flushes per order: ${(walFlushes / orders).toFixed(1)})`,
        );
        console.log(`PostgreSQL time executing statements per order: ${(executing / orders).toFixed(2)} ms (the rest of its CPU time is parsing, commits, connections, background work)`);
        const databases = new Map<string, number>();
        for (const row of rows) databases.set(row.database, (databases.get(row.database) ?? 0) + Number(row.calls));
        if (databases.size > 1) {
          console.log(`  by database: ${[...databases].map(([database, calls]) => `${database} ${(calls / orders).toFixed(1)}`).join(', ')}`);
        }
        console.log('  per order  share of execution time  statement');
        const width = Math.max(...[...databases.keys()].map((database) => database.length));
        for (const row of rows.slice(0, Number(process.env['BENCH_TOP_STATEMENTS'] ?? 15))) {
          const database = databases.size > 1 ? `${row.database.padEnd(width)}  ` : '';
          console.log(`  ${(Number(row.calls) / orders).toFixed(2).padStart(9)}  ${`${((100 * row.ms) / time).toFixed(0)}%`.padStart(23)}  ${database}${row.query.slice(0, 100)}`);
        }
        await closePostgresPool(admin);
      },
      eventTimes: async (correlationIds) => {
        const times: { correlationId: string; step: string; at: number }[] = [];
        const list = createPostgresPool({ url: server.url(), size: 1 });
        const { rows: databases } = await list.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'agora%'");
        await closePostgresPool(list);
        for (const { datname } of databases) {
          const pool = createPostgresPool({ url: server.url(datname), size: 1 });
          try {
            if (!(await pool.query("SELECT to_regclass('event_store.events') AS t")).rows[0].t) continue;
            // A saga step is named after the input it handled.
            const { rows } = await pool.query<{ correlation_id: string; step: string; at: string }>(
              `SELECT metadata->>'correlationId' AS correlation_id, event_type || coalesce(' after ' || (data->'input'->>'type'), '') AS step,
                      extract(epoch FROM recorded_at) * 1000 AS at
               FROM event_store.events WHERE metadata->>'correlationId' = ANY($1::text[])`,
              [correlationIds],
            );
            times.push(...rows.map((row) => ({ correlationId: row.correlation_id, step: row.step, at: Number(row.at) })));
          } finally {
            await closePostgresPool(pool);
          }
        }
        return times;
      },
    },
  };
}

/**
 * When each step of an order happened, counted from the moment its POST was sent: the
 * customer's POST answered and its outcome seen, and every event of the order's
 * correlation (an event counts from the start of the transaction that wrote it).
 */
async function reportSteps(statements: StatementCounter, timeline: ReadonlyMap<string, { sent: number; answered: number; outcome: number }>): Promise<void> {
  const steps = new Map<string, number[]>();
  const add = (step: string, ms: number) => (steps.get(step) ?? steps.set(step, []).get(step)!).push(ms);
  for (const { sent, answered, outcome } of timeline.values()) {
    add('(the customer) POST answered', answered - sent);
    add('(the customer) outcome seen', outcome - sent);
  }
  for (const { correlationId, step, at } of await statements.eventTimes([...timeline.keys()])) add(step, at - timeline.get(correlationId)!.sent);
  const rows = [...steps].filter(([, times]) => times.length >= timeline.size / 2).map(([step, times]) => ({ step, times: times.sort((a, b) => a - b) }));
  console.log('steps of an order, ms after its POST was sent (p50, p90, how many):');
  for (const { step, times } of rows.sort((a, b) => percentile(a.times, 50) - percentile(b.times, 50))) {
    console.log(`  ${percentile(times, 50).toFixed(1).padStart(7)} ${percentile(times, 90).toFixed(1).padStart(7)} ${String(times.length).padStart(6)}  ${step}`);
  }
}

async function login(at: Route, email: string, password: string): Promise<string> {
  const { status, body } = await call<{ accessToken: string }>('POST', at('/api/auth/login'), { email, password });
  if (status !== 200) throw new Error(`logging in as ${email} answered ${status}`);
  return body.accessToken;
}

/** The system under test, started for the run unless BENCH_URL names a running shop. */
interface System {
  readonly at: Route;
  readonly description: string;
  readonly statements?: StatementCounter;
  /** Processes whose CPU time the run reports, by name: the system's own, not the benchmark's. */
  readonly processes?: Readonly<Record<string, readonly number[]>>;
  /** The apps' processes by app, where there are several: the CPU report breaks `apps` down by them. */
  readonly apps?: Readonly<Record<string, readonly number[]>>;
  /** Where each of its processes serves its metrics. */
  readonly metrics?: readonly string[];
  stop(): Promise<void>;
}

/** Reads every `/metrics` each `everyMs`, as Prometheus scrapes, until stopped; answers how many reads there were. */
function scrape(urls: readonly string[], everyMs: number): () => Promise<number> {
  let reads = 0;
  const timer = setInterval(() => {
    for (const url of urls)
      void fetch(url).then(
        async (response) => {
          await response.text();
          reads++;
        },
        () => undefined,
      );
  }, everyMs);
  return async () => {
    clearInterval(timer);
    return reads;
  };
}

async function startSystem(dir: string): Promise<System> {
  const url = process.env['BENCH_URL'];
  if (url) return { at: (path) => `${url}${path}`, description: `the shop at ${url}`, stop: async () => undefined };
  const given = process.env['BENCH_DATABASE_URL'];
  if (!DISTRIBUTED) {
    const own = given ? undefined : await startPostgres(dir);
    const host = await HostProcess.start({
      ...(ENTRY && { entry: ENTRY }),
      port: await freePort(),
      env: { LOG_LEVEL: 'warn', DATABASE_URL: given ?? (await own!.server.ensureDatabase('agora')), ...HOST_ENV },
      nodeArgs: NODE_ARGS,
    });
    return {
      at: (path) => `${host.url}${path}`,
      description: `all-in-one host on PostgreSQL${ENTRY ? ` (${ENTRY})` : ''}`,
      metrics: [`${host.url}/metrics`],
      ...(own && { statements: own.statements, processes: { host: [host.pid], PostgreSQL: [own.server.postmasterPid!] } }),
      stop: async () => {
        await host.stop('SIGTERM');
        await own?.server.stop();
      },
    };
  }
  const kafka = process.env['KAFKA_BROKERS'] ? undefined : await LocalKafka.start();
  const { server: postgres, statements } = await startPostgres(dir);
  const apps = await DistributedShop.start({
    databaseUrl: (app) => postgres.ensureDatabase(`agora_${app}`),
    env: { LOG_LEVEL: 'warn', ...(kafka && { KAFKA_BROKERS: kafka.brokers }), ...HOST_ENV },
    nodeArgs: NODE_ARGS,
  });
  const pidsByApp = Object.fromEntries(CONTEXT_APPS.map((app) => [app, apps.instancesOf(app).map((host) => host.pid)]));
  return {
    at: (path) => `${apps.urlFor(path)}${path}`,
    description: 'distributed apps over Kafka, one PostgreSQL database each on one server',
    metrics: CONTEXT_APPS.flatMap((app) => apps.instancesOf(app).map((host) => `${host.url}/metrics`)),
    statements,
    apps: pidsByApp,
    processes: {
      apps: Object.values(pidsByApp).flat(),
      PostgreSQL: [postgres.postmasterPid!],
      ...(kafka && { 'the Kafka broker': [await kafka.pid()] }),
    },
    stop: async () => {
      await apps.stop();
      await postgres.stop();
      await kafka?.stop();
    },
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-checkout-'));
  await chmod(dir, 0o755);
  const system = await startSystem(dir);
  const { at } = system;
  try {
    // The seeded admin adds the products; each concurrent customer is a registered user of its own.
    const admin = await login(at, process.env['BENCH_ADMIN_EMAIL'] ?? 'admin@agora.local', process.env['BENCH_ADMIN_PASSWORD'] ?? 'agora-admin');
    const customers: string[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const email = `bench-${Date.now()}-${i}@example.com`;
      const registered = await call('POST', at('/api/users'), { email, name: `Bench customer ${i}`, password: 'bench-password' });
      if (registered.status !== 201) throw new Error(`registering customer ${i} answered ${registered.status}`);
      customers.push(await login(at, email, 'bench-password'));
    }
    const skus = Array.from({ length: PRODUCTS }, (_, i) => `BENCH-${Date.now()}-${i}`);
    for (const sku of skus) {
      const added = await call('POST', at('/api/products'), { sku, name: 'Bench item', priceCents: 999, currency: 'EUR', initialStock: (WARMUP + ORDERS) * 2 }, admin);
      if (added.status !== 201) throw new Error(`adding the product answered ${added.status}`);
    }
    let n = 0;
    const place = (customer: string, headers: Record<string, string> = {}, sku = skus[n++ % skus.length]!) =>
      call<{ orderId: string; message?: unknown }>('POST', at('/api/orders'), { lines: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' }, customer, headers);
    for (const sku of skus) {
      for (let placed = await place(customers[0]!, {}, sku); placed.status !== 202; placed = await place(customers[0]!, {}, sku)) await sleep(20); // the order catalog follows inventory
    }

    const latencies: number[] = [];
    const posts: number[] = [];
    /** Each timed order by its correlation id: when its POST was sent and answered, and when its outcome was seen (epoch ms). */
    const timeline = new Map<string, { sent: number; answered: number; outcome: number }>();
    const statuses = new Map<string, number>();
    let reads = 0;
    /** `count` orders from the customers side by side; `timed` ones are recorded. */
    const run = async (count: number, timed: boolean, label: string): Promise<void> => {
      let next = 0;
      await Promise.all(
        customers.map(async (customer) => {
          while (next < count) {
            const correlationId = `bench-${label}-${next++}`;
            const sent = Date.now();
            const t0 = performance.now();
            const { status, body } = await place(customer, { 'x-correlation-id': correlationId });
            const postTime = performance.now() - t0;
            const answered = Date.now();
            if (status !== 202) throw new Error(`placing answered ${status}: ${JSON.stringify(body)}`);
            const path = WAIT === 'long-poll' ? `/api/orders/${body.orderId}?wait=terminal&timeoutMs=10000` : `/api/orders/${body.orderId}`;
            let outcome: string;
            for (;;) {
              const order = await call<{ status: string }>('GET', at(path), undefined, customer);
              if (timed) reads++;
              if (order.status !== 200) throw new Error(`reading the order answered ${order.status}: ${JSON.stringify(order.body)}`);
              if (order.body.status !== 'PENDING') {
                outcome = order.body.status;
                break;
              }
              if (WAIT === 'poll') await sleep(POLL_MS);
            }
            if (!timed) continue;
            posts.push(postTime);
            statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1);
            latencies.push(performance.now() - t0);
            timeline.set(correlationId, { sent, answered, outcome: Date.now() });
          }
        }),
      );
    };
    if (WARMUP > 0) await run(WARMUP, false, 'warmup');
    await system.statements?.reset();
    const processes = [...Object.entries(system.processes ?? {}), ...Object.entries(system.apps ?? {})];
    const cpuBefore = await Promise.all(processes.map(([, pids]) => cpuSeconds(pids)));
    const machineBefore = await machineBusySeconds();
    const clientBefore = process.cpuUsage();
    const scraping = SCRAPE_MS > 0 && system.metrics ? scrape(system.metrics, SCRAPE_MS) : undefined;
    const started = performance.now();
    await run(ORDERS, true, 'order');
    const seconds = (performance.now() - started) / 1000;
    const scrapes = await scraping?.();
    const client = process.cpuUsage(clientBefore);
    const machine = (await machineBusySeconds()) - machineBefore;
    const cpuAfter = await Promise.all(processes.map(([, pids]) => cpuSeconds(pids)));
    latencies.sort((a, b) => a - b);
    posts.sort((a, b) => a - b);
    const waiting = WAIT === 'long-poll' ? 'waiting with the long-poll' : `polling every ${POLL_MS} ms`;
    console.log(`${ORDERS} orders (after ${WARMUP} untimed) over ${PRODUCTS} products, ${CONCURRENCY} concurrent customers ${waiting}, ${system.description}${PG_FLAGS.length > 0 ? ` (PostgreSQL with ${PG_FLAGS.join(' ')})` : ''}`);
    console.log(`completed orders/s: ${(ORDERS / seconds).toFixed(0)}`);
    console.log(`POST to terminal status: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`);
    console.log(`POST answered: p50 ${percentile(posts, 50).toFixed(0)} ms, p99 ${percentile(posts, 99).toFixed(0)} ms`);
    console.log(`GETs of an order until its outcome: ${(reads / ORDERS).toFixed(1)} per order, ${(reads / seconds).toFixed(0)}/s`);
    console.log(`outcomes: ${[...statuses].map(([status, count]) => `${status} ${count}`).join(', ')}`);
    if (Object.keys(HOST_ENV).length > 0) console.log(`the system's environment also had: ${Object.entries(HOST_ENV).map(([name, value]) => `${name}=${value}`).join(' ')}`);
    if (scrapes !== undefined) console.log(`/metrics read ${scrapes} times, every ${SCRAPE_MS} ms from each process`);
    if (processes.length > 0) {
      const used = processes.map((_, i) => cpuAfter[i]! - cpuBefore[i]!);
      const perOrder = processes.map(([name], i) => `${name} ${((1000 * used[i]!) / ORDERS).toFixed(1)} ms`);
      const whole = Object.keys(system.processes ?? {}).length;
      // This process shares the machine: its HTTP requests cost CPU the system cannot have.
      // Its work per order is the same whatever the system under test does, so its CPU time
      // per order also tells how fast the machine ran: to compare runs made while the
      // machine's speed drifts, divide by it (bench/README.md).
      const clientSeconds = (client.user + client.system) / 1e6;
      console.log(`CPU time per order: ${perOrder.slice(0, whole).join(', ')}; the benchmark client ${((1000 * clientSeconds) / ORDERS).toFixed(2)} ms`);
      if (perOrder.length > whole) console.log(`  the apps: ${perOrder.slice(whole).join(', ')}`);
      const others = Math.max(0, machine - clientSeconds - used.slice(0, whole).reduce((sum, seconds) => sum + seconds, 0));
      console.log(`the machine busy ${((1000 * machine) / ORDERS).toFixed(1)} ms per order, other processes ${((1000 * others) / ORDERS).toFixed(1)} ms of it (a trace collector, another job)`);
    }
    if (STEPS && system.statements) await reportSteps(system.statements, timeline);
    await system.statements?.report(ORDERS);
  } finally {
    await system.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
