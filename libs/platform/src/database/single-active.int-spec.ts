import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase } from '../../../testing/src/postgres.js';
import { until } from '../../../testing/src/until.js';
import { SingleActive } from './single-active.js';

/** Work that notes when it runs, and whether two instances ever ran at once. */
class Probe {
  static running = 0;
  static mostAtOnce = 0;
  starts = 0;
  stops = 0;
  async start(): Promise<void> {
    this.starts++;
    Probe.running++;
    Probe.mostAtOnce = Math.max(Probe.mostAtOnce, Probe.running);
  }
  async stop(): Promise<void> {
    this.stops++;
    Probe.running--;
  }
}

describe('SingleActive', () => {
  let url: string;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const created = new pg.Pool({ connectionString: url, max: 3 });
    created.on('error', () => undefined); // a terminated idle connection
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    url = await createTestDatabase('single_active');
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('runs the work in one instance only, and a standby takes over when it stops', async () => {
    const lock = `test-${randomUUID()}`;
    const [first, second] = [new Probe(), new Probe()];
    const a = new SingleActive(pool(), lock, first, { retryMs: 50 });
    const b = new SingleActive(pool(), lock, second, { retryMs: 50 });
    a.start();
    await until(() => a.active);
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([a.active, b.active]).toEqual([true, false]);

    await a.stop();
    expect(first.stops).toBe(1);
    await until(() => b.active);
    expect(second.starts).toBe(1);
    await b.stop();
    expect(Probe.mostAtOnce).toBe(1);
  });

  it('stops at once when asked while active, not after its next look at the lock', async () => {
    const probe = new Probe();
    // A look every ten minutes: a stop that waited for it would outlast the test's timeout.
    const active = new SingleActive(pool(), `test-${randomUUID()}`, probe, { retryMs: 600_000 });
    active.start();
    await until(() => active.active);
    await active.stop();
    expect({ active: active.active, starts: probe.starts, stops: probe.stops }).toEqual({ active: false, starts: 1, stops: 1 });
  });

  it('hands over when the active instance loses its database connection, as when its process dies', async () => {
    const lock = `test-${randomUUID()}`;
    const [first, second] = [new Probe(), new Probe()];
    // A dead process does not come back: the old holder waits long before it would try again.
    const a = new SingleActive(pool(), lock, first, { retryMs: 60_000 });
    const b = new SingleActive(pool(), lock, second, { retryMs: 50 });
    a.start();
    await until(() => a.active);
    b.start();

    // The server ends the lock's session, as it does when the holder's process is gone.
    const admin = pool();
    await admin.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
       WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext($1)::bigint & 4294967295)::oid`,
      [lock],
    );
    await until(() => b.active);
    expect(first.stops).toBe(1);
    expect(second.starts).toBe(1);
    expect(Probe.mostAtOnce).toBe(1);
    await Promise.all([a.stop(), b.stop()]);
  });
});
