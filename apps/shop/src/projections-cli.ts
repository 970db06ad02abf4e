/**
 * Inspects and rebuilds the shop's projections, and the events any subscriber of the log
 * parked, beside a running host or on their own:
 *
 *   npm run projections -- status
 *   npm run projections -- rebuild <name>      (or --all)
 *   npm run projections -- parked [<subscriber>]
 *   npm run projections -- retry-parked [<subscriber>]
 *
 * Same configuration as the host (DATABASE_URL, or the embedded server in
 * EMBEDDED_POSTGRES_DIR, which is used as it runs or started for the run).
 */
import 'reflect-metadata';
import { EventStoreDbEventStore, PostgresEventStore, Upcasters, UpcastingEventStore, type EventStore, type GlobalPosition } from '@agora/event-sourcing';
import { claimCheckpointsForEventStore, PostgresParkedEvents } from '@agora/messaging';
import { closePostgresPool, createPostgresPool, openPostgresDatabase, readConfigOrExit } from '@agora/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { openReadModels, ProjectionCheckpoints, projectionStatus, rebuildProjection, RebuildUnderWay, type Projection } from '@agora/projections';
import cliProgress from 'cli-progress';
import type pg from 'pg';
import { SHOP_READ_MODELS, SHOP_UPCASTERS } from './shop-contexts.js';

const USAGE = 'usage: npm run projections -- status | rebuild <name> | rebuild --all | parked [<subscriber>] | retry-parked [<subscriber>]';
const COMMANDS = ['status', 'rebuild', 'parked', 'retry-parked'];
const projections = SHOP_READ_MODELS.flatMap((model) => model.projections);
/** How long `retry-parked` waits for the running host to retry what it asked for. */
const RETRY_WAIT_MS = 30_000;

async function main(args: string[]): Promise<number> {
  const [command, target] = args;
  if (!command || !COMMANDS.includes(command)) return fail(USAGE);
  const chosen = command === 'rebuild' ? (target === '--all' ? projections : projections.filter((p) => p.name === target)) : projections;
  if (command === 'rebuild' && chosen.length === 0) {
    return fail(`${target ? `There is no projection ${target}.` : 'Name a projection to rebuild.'} Projections: ${projections.map((p) => p.name).join(', ')}\n${USAGE}`);
  }

  const config = readConfigOrExit(process.env);
  const database = await openPostgresDatabase(config, 'agora', { beside: true });
  // No application name: `retry-parked` counts the connections named `agora-…` as hosts.
  const pool = createPostgresPool({ url: database.url, size: 4 });
  let store: EventStore | undefined;
  let readModels: Awaited<ReturnType<typeof openReadModels>> | undefined;
  try {
    if (interrupted.aborted) return 0;
    readModels = await openReadModels({ url: database.url, readModels: SHOP_READ_MODELS });
    if (interrupted.aborted) return 0;
    await claimCheckpointsForEventStore(pool, config.EVENT_STORE);
    // Read as the host reads it: events stored in an older shape or name come out in today's.
    const stored = config.EVENT_STORE === 'esdb' ? EventStoreDbEventStore.connect(config.EVENTSTORE_URL!) : new PostgresEventStore(pool, { schema: 'event_store' });
    store = UpcastingEventStore.over(stored, new Upcasters(SHOP_UPCASTERS));
    if (command === 'parked') return await listParked(pool, target);
    if (command === 'retry-parked') return await retryParked(pool, target);
    if (command === 'status') {
      const checkpoints = new ProjectionCheckpoints(readModels);
      const rows = await Promise.all(chosen.map(async (projection) => projectionStatus(store!, projection, await checkpoints.load(projection.name))));
      console.table(
        rows.map((row) => ({ projection: row.name, checkpoint: position(row.checkpoint), head: position(row.head), 'lag (events)': row.lagEvents, 'lag (ms)': row.lagMs })),
      );
    } else {
      try {
        for (const projection of chosen) if (!interrupted.aborted) await rebuild(readModels, store, projection);
      } catch (error) {
        if (error instanceof RebuildUnderWay) return fail(error.message);
        throw error;
      }
    }
    return 0;
  } finally {
    await store?.close();
    await readModels?.destroy();
    await closePostgresPool(pool);
    await database.close();
  }
}

async function rebuild(readModels: Awaited<ReturnType<typeof openReadModels>>, store: EventStore, projection: Projection): Promise<void> {
  const bar = new cliProgress.SingleBar(
    { format: `${projection.name} [{bar}] {percentage}% | {events} events | {rate} events/s | ETA {eta_formatted}`, noTTYOutput: true, notTTYSchedule: 1000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { events: 0, rate: 0 });
  let rebuilt: { events: number; seconds: number };
  try {
    rebuilt = await rebuildProjection(readModels, store, projection, {
      onProgress: ({ events, eventsPerSecond, fraction }) => bar.update(Math.round(fraction * 100), { events, rate: Math.round(eventsPerSecond) }),
    });
    bar.update(100);
  } finally {
    bar.stop();
  }
  const { events, seconds } = rebuilt;
  console.log(`${projection.name} rebuilt: ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s), switched to the new tables.`);
}

async function listParked(pool: pg.Pool, subscriber: string | undefined): Promise<number> {
  const parked = await new PostgresParkedEvents(pool).list(subscriber);
  if (parked.length === 0) {
    console.log(`Nothing is parked${subscriber ? ` for ${subscriber}` : ''}.`);
    return 0;
  }
  console.table(
    parked.map((event) => ({
      subscriber: event.subscriber,
      position: position(event.position),
      stream: event.streamName,
      revision: event.revision,
      type: event.type,
      attempts: event.attempts,
      'parked at': event.parkedAt.toISOString(),
      'retry asked': event.retryRequestedAt?.toISOString() ?? '',
      error: event.error.length > 100 ? `${event.error.slice(0, 99)}…` : event.error,
    })),
  );
  return 0;
}

/**
 * Asks the subscribers to try their parked events again. The running host does it (the one
 * instance that runs the app's background work), in log order, once each; this waits for it.
 */
async function retryParked(pool: pg.Pool, subscriber: string | undefined): Promise<number> {
  const parked = new PostgresParkedEvents(pool);
  const asked = await parked.requestRetry(subscriber);
  if (asked === 0) {
    console.log(`Nothing is parked${subscriber ? ` for ${subscriber}` : ''}.`);
    return 0;
  }
  const { rows } = await pool.query<{ hosts: number }>(
    "SELECT count(*)::int AS hosts FROM pg_stat_activity WHERE application_name LIKE 'agora-%' AND pid <> pg_backend_pid()",
  );
  if (rows[0]!.hosts === 0) {
    console.log(`${asked} parked event(s) marked for a retry. No host is running: the host retries them when it starts.`);
    return 0;
  }
  console.log(`${asked} parked event(s) marked for a retry; waiting for the running host…`);
  let waiting = asked;
  const pause = () => sleep(250, undefined, { signal: interrupted }).catch(() => undefined);
  for (const deadline = Date.now() + RETRY_WAIT_MS; waiting > 0 && Date.now() < deadline && !interrupted.aborted; await pause()) {
    waiting = (await parked.list(subscriber)).filter((event) => event.retryRequestedAt).length;
  }
  const left = await parked.list(subscriber);
  console.log(`${asked - left.length} applied, ${left.length} still parked${waiting > 0 ? `, ${waiting} not tried yet (is the host's background work running?)` : ''}.`);
  if (left.length > 0) await listParked(pool, subscriber);
  return left.length === 0 ? 0 : 1;
}

function position(at: GlobalPosition | undefined): string {
  return at ? `${at.commit}/${at.prepare}` : '-';
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

/**
 * Ctrl-C (or SIGTERM): the step under way finishes (a projection's rebuild, a query), the
 * rest is skipped, and the run closes in order, its embedded server last. The handlers
 * that `embedded-postgres` installs would exit at once instead, with 128 + the signal.
 * `npm run projections` runs this file in one Node process (`node --import tsx`): the
 * `tsx` command's parent process kills its child when the child has not reported a
 * signal within 30 ms, which on a busy machine ended an interrupted run with 130.
 */
function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (controller.signal.aborted) return;
      console.log('Interrupted: stopping after the step under way.');
      controller.abort();
    });
  }
  return controller.signal;
}

const interrupted = stopOnSignals();
// Explicitly: a dependency's exit hook would otherwise turn a set `process.exitCode` into 0.
process.exit(await main(process.argv.slice(2)));
