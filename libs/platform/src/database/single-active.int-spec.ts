import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase } from '../../../testing/src/postgres.js';
import { TcpProxy } from '../../../testing/src/tcp-proxy.js';
import { until } from '../../../testing/src/until.js';
import { Deposed, Fence } from './fence.js';
import { SingleActive } from './single-active.js';

/** What the instances' work did, in the order it happened. */
type Step = `${string} ${'started' | 'stopped'}`;

/** Work that notes when it runs, so a test can tell whether two instances ever ran at once. */
class Probe {
  constructor(
    private readonly instance: string,
    private readonly steps: Step[],
  ) {}
  async start(): Promise<void> {
    this.steps.push(`${this.instance} started`);
  }
  async stop(): Promise<void> {
    this.steps.push(`${this.instance} stopped`);
  }
}

/**
 * The work went from a to b, a stopping before b started, and never ran in both at once.
 * (On a machine busy enough to hold an instance's event loop for most of a lease, an
 * instance may stop and take the lease again afterwards: that is allowed, overlap is not.)
 */
function expectHandedOver(steps: readonly Step[]): void {
  expect({ first: steps.slice(0, 3), mostAtOnce: mostAtOnce(steps) }).toEqual({ first: ['a started', 'a stopped', 'b started'], mostAtOnce: 1 });
}

/** The most instances whose work ran at once. */
function mostAtOnce(steps: readonly Step[]): number {
  let running = 0;
  let most = 0;
  for (const step of steps) {
    running += step.endsWith('started') ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

describe('SingleActive', () => {
  let url: string;
  const pools: pg.Pool[] = [];
  const instances: SingleActive[] = [];
  const proxies: TcpProxy[] = [];
  const pool = (connectionString = url, applicationName = 'single-active-test') => {
    const created = new pg.Pool({ connectionString, max: 3, application_name: applicationName });
    created.on('error', () => undefined); // a terminated idle connection
    pools.push(created);
    return created;
  };
  const instance = (...args: ConstructorParameters<typeof SingleActive>) => {
    const created = new SingleActive(...args);
    instances.push(created);
    return created;
  };

  beforeAll(async () => {
    url = await createTestDatabase('single_active');
    await pool().query('CREATE TABLE work_done (seq bigserial PRIMARY KEY, lease text NOT NULL, instance text NOT NULL)');
  });
  // Whatever a test left running is stopped, so that a failure never keeps jest from exiting.
  afterEach(async () => {
    for (const proxy of proxies) proxy.thaw();
    await Promise.all(instances.splice(0).map((active) => active.stop()));
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(pools.map((p) => p.end()));
  });

  /** A fenced write, as background work makes them: a row of `instance`'s, under the epoch `fence` has now. */
  async function writeUnder(fence: Fence, through: pg.Pool, instanceName: string): Promise<void> {
    const params = [fence.lease, instanceName, ...fence.params()];
    const { rowCount } = await through.query(`INSERT INTO work_done (lease, instance) SELECT $1, $2 WHERE ${Fence.condition(3)}`, params);
    if (rowCount === 0) fence.refused();
  }

  const writtenUnder = async (lease: string, through: pg.Pool) =>
    (await through.query<{ instance: string }>('SELECT instance FROM work_done WHERE lease = $1 ORDER BY seq', [lease])).rows.map((row) => row.instance);

  it('runs the work in one instance only, and a standby takes over as soon as it stops', async () => {
    const lease = `test-${randomUUID()}`;
    const steps: Step[] = [];
    const a = instance(pool(), lease, new Probe('a', steps), { leaseMs: 2000 });
    const b = instance(pool(), lease, new Probe('b', steps), { leaseMs: 2000 });
    a.start();
    await until(() => a.active);
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 600)); // b looks for the lease twice meanwhile
    expect([a.active, b.active]).toEqual([true, false]);

    await a.stop();
    await until(() => b.active);
    expectHandedOver(steps);
  });

  it('stops at once when asked while active, not after its next renewal', async () => {
    const steps: Step[] = [];
    // Renewals every 2.5 minutes: a stop that waited for one would outlast the test's timeout.
    const active = instance(pool(), `test-${randomUUID()}`, new Probe('a', steps), { leaseMs: 600_000 });
    active.start();
    await until(() => active.active);
    await active.stop();
    expect({ active: active.active, steps }).toEqual({ active: false, steps: ['a started', 'a stopped'] });
  });

  it('stops the work of an instance that loses its connection before a standby starts it', async () => {
    const lease = `test-${randomUUID()}`;
    const steps: Step[] = [];
    // As a process that died: it does not come back for the lease.
    const a = instance(pool(url, `holder-${lease}`), lease, new Probe('a', steps), { leaseMs: 2000, retryMs: 60_000 });
    const b = instance(pool(), lease, new Probe('b', steps), { leaseMs: 2000 });
    a.start();
    await until(() => a.active);
    b.start();

    // The server ends the holder's session, as it does when the holder's process is gone.
    await pool().query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`holder-${lease}`]);
    await until(() => b.active);
    expectHandedOver(steps);
  });

  it('stops the work of an instance cut off from the database by itself, and refuses its late writes once a standby took over', async () => {
    const lease = `test-${randomUUID()}`;
    const steps: Step[] = [];
    const proxy = await TcpProxy.start({ host: new URL(url).hostname, port: Number(new URL(url).port) });
    proxies.push(proxy);
    const aPool = pool(proxy.urlFor(url));
    const bPool = pool();
    const a = instance(aPool, lease, new Probe('a', steps), { leaseMs: 2000 });
    const b = instance(bPool, lease, new Probe('b', steps), { leaseMs: 2000 });
    a.start();
    await until(() => a.active);
    await writeUnder(a.fence, aPool, 'a');
    b.start();

    // A partition: a's renewals and its write made now wait in the network.
    proxy.freeze();
    const lateWrite = writeUnder(a.fence, aPool, 'a').then(
      () => 'written',
      (error: unknown) => (error instanceof Deposed ? 'refused' : error),
    );
    await until(() => b.active);
    await writeUnder(b.fence, bPool, 'b');
    expectHandedOver(steps);

    proxy.thaw();
    expect(await lateWrite).toBe('refused');
    expect(await writtenUnder(lease, bPool)).toEqual(['a', 'b']);
    expectHandedOver(steps);
  });

  it('stops the work at once when a fenced write finds the lease taken over', async () => {
    const lease = `test-${randomUUID()}`;
    const steps: Step[] = [];
    const writer = pool();
    // Renewals every 2.5 minutes: only the refused write can tell it.
    const a = instance(writer, lease, new Probe('a', steps), { leaseMs: 600_000 });
    a.start();
    await until(() => a.active);
    await writeUnder(a.fence, writer, 'a');

    // Another holder took the lease over (as a standby does once a lease has expired).
    await writer.query('UPDATE platform.leases SET holder = $2, epoch = epoch + 1 WHERE name = $1', [lease, 'another instance']);
    await expect(writeUnder(a.fence, writer, 'a')).rejects.toThrow(Deposed);
    await until(() => !a.active);
    expect(steps).toEqual(['a started', 'a stopped']);
    await expect(writeUnder(a.fence, writer, 'a')).rejects.toThrow(Deposed);
    expect(await writtenUnder(lease, writer)).toEqual(['a']);
  });
});
