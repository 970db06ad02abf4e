import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import pino from 'pino';
import request from 'supertest';
import { PostgresEventStore } from '@agora/event-sourcing';
import { createHttpApp, loggerModule, SHUTDOWN_SIGNALS } from '@agora/platform';
import { eventStoreForTest, testHost } from '@agora/testing';
import { userReadModel } from '../../read-model/user-read-model.js';
import { UserModule } from '../../user.module.js';
import type { SignInLimits } from './sign-in-throttle.js';

const LIMITS: SignInLimits = {
  AUTH_MAX_FAILURES_PER_ACCOUNT: 3,
  AUTH_MAX_FAILURES_PER_ADDRESS: 6,
  AUTH_FAILURE_WINDOW_S: 900,
  AUTH_MAX_REGISTRATIONS_PER_ADDRESS: 4,
  AUTH_REGISTRATION_WINDOW_S: 3600,
};

/**
 * Two instances of the user context's HTTP API on one database, behind one trusted proxy
 * (so that each test picks its client address with X-Forwarded-For).
 */
describe('throttled sign-in and registration (HTTP, two instances, PostgreSQL)', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  const instances: INestApplication[] = [];
  const signalListeners = SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);

  async function instance(url: string): Promise<INestApplication> {
    const logger = pino({ level: 'silent' });
    const app = await createHttpApp(
      {
        module: class ThrottledUserHostModule {},
        imports: [
          loggerModule(logger),
          ...testHost({ url, eventStore: store, pool, readModels: [userReadModel] }),
          UserModule.forRoot(LIMITS),
        ],
      },
      { logger, title: 'Users', description: 'Throttled users API under test', version: '0.0.0', trustProxyHops: 1 },
    );
    await app.init();
    return app;
  }

  beforeAll(async () => {
    const db = await eventStoreForTest('user_throttle');
    const { url } = db;
    ({ pool, store } = db);
    instances.push(await instance(url), await instance(url));
  });

  afterAll(async () => {
    for (const app of instances) await app.close();
    for (const [signal, listeners] of signalListeners) for (const listener of listeners) process.on(signal, listener);
    await store.close();
    await pool.end();
  });

  const post = (on: number, path: string, from: string, body: unknown) =>
    request(instances[on]!.getHttpServer()).post(path).set('x-forwarded-for', from).set('content-type', 'application/json').send(JSON.stringify(body));
  const signIn = (on: number, from: string, email: string, password: string) => post(on, '/api/auth/login', from, { email, password });
  let registrations = 0;
  async function registered(email: string, password: string): Promise<void> {
    // Each from its own address: the registrations per address are a test of their own.
    expect((await post(0, '/api/users', `192.0.2.${++registrations}`, { email, name: 'Test user', password })).status).toBe(201);
  }
  /** What a client is told when refused: 429, how long to wait, and which rule. */
  function expectRefused(response: request.Response, rule: string): void {
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= LIMITS.AUTH_FAILURE_WINDOW_S).toBe(true);
    expect(response.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: `${rule} Try again in ${retryAfter} seconds.`, retryAfter });
  }

  it('refuses an account after its failures, on both instances and from any address, even with the right password', async () => {
    await registered('ada@example.org', 'analytical engine');
    // Three failures for one account, from three addresses, on either instance: the allowance is shared.
    expect((await signIn(0, '203.0.113.1', 'ada@example.org', 'guess 1')).status).toBe(401);
    expect((await signIn(1, '203.0.113.2', 'ADA@example.org', 'guess 2')).status).toBe(401);
    expect((await signIn(0, '203.0.113.3', ' ada@example.org', 'guess 3')).status).toBe(401);

    const rule = 'Too many failed sign-ins for this account: at most 3 in 900 seconds.';
    expectRefused(await signIn(1, '203.0.113.4', 'ada@example.org', 'analytical engine'), rule);
    expectRefused(await signIn(0, '203.0.113.1', 'ada@example.org', 'analytical engine'), rule);
    // Other accounts, from the same addresses, are not affected.
    await registered('grace@example.org', 'cobol for ever');
    expect((await signIn(1, '203.0.113.1', 'grace@example.org', 'cobol for ever')).status).toBe(200);
  });

  it('refuses an address after its failures for many accounts, whatever account it tries next', async () => {
    await registered('hedy@example.org', 'frequency hopping');
    const spraying = '198.51.100.9';
    for (let i = 0; i < LIMITS.AUTH_MAX_FAILURES_PER_ADDRESS; i++) {
      expect((await signIn(i % 2, spraying, `victim-${i}@example.org`, 'password1')).status).toBe(401);
    }
    expectRefused(await signIn(0, spraying, 'hedy@example.org', 'frequency hopping'), 'Too many failed sign-ins from this address: at most 6 in 900 seconds.');
    // The account itself has no failures: its owner signs in from elsewhere.
    expect((await signIn(1, '198.51.100.10', 'hedy@example.org', 'frequency hopping')).status).toBe(200);
  });

  it('lets no more guesses of a parallel burst reach the password check than the limit', async () => {
    await registered('alan@example.org', 'enigma machine');
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(i % 2, `203.0.113.${100 + i}`, 'alan@example.org', `guess ${i}`)));
    const statuses = burst.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(LIMITS.AUTH_MAX_FAILURES_PER_ACCOUNT).fill(401), ...Array(10 - LIMITS.AUTH_MAX_FAILURES_PER_ACCOUNT).fill(429)]);
    expectRefused(await signIn(0, '203.0.113.99', 'alan@example.org', 'enigma machine'), 'Too many failed sign-ins for this account: at most 3 in 900 seconds.');
  });

  it('counts failures only, and a right password starts its account’s count again', async () => {
    await registered('barbara@example.org', 'abstraction');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < LIMITS.AUTH_MAX_FAILURES_PER_ACCOUNT - 1; i++) {
        expect((await signIn(round % 2, `203.0.113.${50 + round}`, 'barbara@example.org', 'wrong')).status).toBe(401);
      }
      expect((await signIn(round % 2, `203.0.113.${50 + round}`, 'barbara@example.org', 'abstraction')).status).toBe(200);
    }
  });

  it('refuses registrations from an address past its limit, on either instance', async () => {
    const from = '198.51.100.77';
    for (let i = 0; i < LIMITS.AUTH_MAX_REGISTRATIONS_PER_ADDRESS; i++) {
      expect((await post(i % 2, '/api/users', from, { email: `new-${i}@example.org`, name: 'New', password: 'password ok' })).status).toBe(201);
    }
    const refused = await post(0, '/api/users', from, { email: 'one-more@example.org', name: 'New', password: 'password ok' });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/^Too many registrations from this address: at most 4 in 3600 seconds\. Try again in \d+ seconds\.$/) });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(1, '/api/users', '198.51.100.78', { email: 'one-more@example.org', name: 'New', password: 'password ok' })).status).toBe(201);
  });
});
