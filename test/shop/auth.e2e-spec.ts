import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import { createTestDatabase, freePort, HostProcess, TEST_JWT_SECRET } from '@agora/testing';
import { ADMIN } from '../checkout/shop-client.js';

// Tokens and passwords over real HTTP against the built host: which tokens count, how a
// password is changed or reset, how a user signs out, and what a refused token is told.

/** The one answer for a token that does not count, whatever the reason. */
const NOT_VALID = { statusCode: 401, error: 'Unauthorized', message: 'The bearer token is not valid: log in at POST /api/auth/login.' };
/** What jsonwebtoken says of a bad token: none of it may reach a client. */
const LIBRARY_TEXT = /jwt|malformed|signature|expired|invalid token|algorithm|audience|issuer/i;

interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Signs claims with the host's secret, as a forger who knows it (or an older host) would. */
const sign = (claims: Record<string, unknown>, options: { expiresIn?: number; secret?: string } = {}) =>
  new JwtService({ secret: options.secret ?? TEST_JWT_SECRET }).signAsync(claims, options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn });

function client(url: string) {
  const call = async <T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown): Promise<Answer<T>> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };
  const login = async (email: string, password: string): Promise<Answer<{ accessToken: string }>> => call('POST', '/api/auth/login', undefined, { email, password });
  return {
    call,
    login,
    async token(email: string, password: string): Promise<string> {
      const answer = await login(email, password);
      if (answer.status !== 200) throw new Error(`logging in as ${email} answered ${answer.status}: ${answer.text}`);
      return answer.body.accessToken;
    },
    /** Registers a customer with a fresh address: their id, address and token. */
    async customer(password = 'first password'): Promise<{ userId: string; email: string; token: string }> {
      const email = `user-${randomUUID().slice(0, 8)}@example.org`;
      const registered = await call<{ userId: string }>('POST', '/api/users', undefined, { email, name: 'Test user', password });
      if (registered.status !== 201) throw new Error(`registering answered ${registered.status}: ${registered.text}`);
      return { userId: registered.body.userId, email, token: await this.token(email, password) };
    },
    graphql: async (token: string | undefined, query: string, variables: Record<string, unknown> = {}) => call<GraphqlAnswer>('POST', '/graphql', token, { query, variables }),
  };
}

describe('tokens and passwords (shop host)', () => {
  let host: HostProcess;
  let pool: pg.Pool;
  let api: ReturnType<typeof client>;
  let admin: { userId: string; token: string };

  beforeAll(async () => {
    const url = await createTestDatabase('shop_auth');
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: url, ADMIN_PASSWORD: undefined, NODE_ENV: undefined } });
    pool = new pg.Pool({ connectionString: url, max: 1 });
    api = client(host.url);
    const token = await api.token(ADMIN.email, ADMIN.password);
    admin = { token, userId: (await api.call<{ userId: string }>('GET', '/api/users/me', token)).body.userId };
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  const eventCount = async (): Promise<number> => Number((await pool.query<{ count: string }>('SELECT count(*) FROM event_store.events')).rows[0]!.count);
  const me = (token: string) => api.call('GET', '/api/users/me', token);

  it('warns, outside production, that the administrator got the demo password', () => {
    expect(host.stdout).toContain(`Created the administrator ${ADMIN.email} with the demo password ${ADMIN.password}, as ADMIN_PASSWORD is not set`);
  });

  describe('a token', () => {
    it('counts when it names an existing user at their token version and expires', async () => {
      expect((await me(await sign({ sub: admin.userId, role: 'admin', ver: 0 }, { expiresIn: 600 }))).status).toBe(200);
    });

    it('does not count without exp: it would never expire', async () => {
      const answer = await me(await sign({ sub: admin.userId, role: 'admin', ver: 0 }));
      expect(answer).toMatchObject({ status: 401, body: NOT_VALID });
    });

    it('does not count for a user who does not exist', async () => {
      for (const sub of [randomUUID(), 'not-a-uuid']) {
        const token = await sign({ sub, role: 'admin', ver: 0 }, { expiresIn: 600 });
        expect(await me(token)).toMatchObject({ status: 401, body: NOT_VALID });
        // Nor for an admin-only route, which a made-up admin would otherwise reach.
        expect(await api.call('PUT', `/api/users/${admin.userId}/password`, token, { newPassword: 'taken over by nobody' })).toMatchObject({ status: 401, body: NOT_VALID });
      }
    });

    it('of an app (role service) is refused wherever a route does not name the role, and no user can claim the role', async () => {
      const service = await sign({ sub: 'service:gateway', role: 'service', ver: 0 }, { expiresIn: 600 });
      const forbidden = { status: 403, body: { message: 'This is not for the token of an app.' } };
      expect(await me(service)).toMatchObject(forbidden);
      expect(await api.call('GET', `/api/payments?orderId=${randomUUID()}`, service)).toMatchObject(forbidden);
      expect(await api.call('POST', '/api/orders', service, { lines: [{ sku: 'MUG-BLUE', quantity: 1 }], paymentToken: 'tok_visa' })).toMatchObject(forbidden);
      const orders = await api.graphql(service, '{ orders { items { orderId } } }');
      expect(orders).toMatchObject({ status: 403, body: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
      const registered = await api.call('POST', '/api/users', undefined, { email: `app-${randomUUID().slice(0, 8)}@example.org`, name: 'An app', password: 'a password', role: 'service' });
      expect(registered.status).toBe(400);
    });

    it('does not count without a token version', async () => {
      expect(await me(await sign({ sub: admin.userId, role: 'admin' }, { expiresIn: 600 }))).toMatchObject({ status: 401, body: NOT_VALID });
    });

    it('gives the role its user has, not the one it claims', async () => {
      const { userId } = await api.customer();
      const claimsAdmin = await sign({ sub: userId, role: 'admin', ver: 0 }, { expiresIn: 600 });
      expect((await api.call('PUT', `/api/users/${admin.userId}/password`, claimsAdmin, { newPassword: 'taken over by a customer' })).status).toBe(403);
    });

    it('is refused with one message that tells nothing of the library, over REST and GraphQL', async () => {
      const [header, payload] = (await sign({ sub: admin.userId, role: 'admin', ver: 0 }, { expiresIn: 600 })).split('.');
      const bad = {
        malformed: 'not.a.jwt',
        'one part': 'abc',
        'bad signature': await sign({ sub: admin.userId, role: 'admin', ver: 0 }, { expiresIn: 600, secret: 'another-secret-that-is-long-enough-for-hs256-x' }),
        expired: await sign({ sub: admin.userId, role: 'admin', ver: 0, exp: Math.floor(Date.now() / 1000) - 60 }),
        'alg none': `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`,
        'no signature': `${header}.${payload}.`,
        'not yet valid': await sign({ sub: admin.userId, role: 'admin', ver: 0, nbf: Math.floor(Date.now() / 1000) + 3600 }, { expiresIn: 7200 }),
      };
      for (const [what, token] of Object.entries(bad)) {
        const rest = await me(token);
        expect({ what, status: rest.status, body: rest.body }).toEqual({ what, status: 401, body: NOT_VALID });
        expect(rest.text).not.toMatch(LIBRARY_TEXT);
        const graphql = await api.graphql(token, '{ me { email } }');
        expect({ what, status: graphql.status }).toEqual({ what, status: 401 });
        expect(graphql.body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([[NOT_VALID.message, 'UNAUTHENTICATED']]);
        expect(graphql.text).not.toMatch(LIBRARY_TEXT);
      }
    });
  });

  describe('changing the password', () => {
    it('refuses a wrong current password with 403, writes nothing, and the old password and token still work', async () => {
      const ada = await api.customer('first password');
      const before = await eventCount();
      const answer = await api.call('PUT', '/api/users/me/password', ada.token, { currentPassword: 'not my password', newPassword: 'second password' });
      expect(answer).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'The current password is wrong.' } });
      expect(await eventCount()).toBe(before);
      expect((await me(ada.token)).status).toBe(200);
      expect((await api.login(ada.email, 'first password')).status).toBe(200);
    });

    it.each([
      [{ currentPassword: 'first password', newPassword: 'short' }, 'newPassword must be 8 to 128 characters'],
      [{ currentPassword: 'first password', newPassword: 'x'.repeat(129) }, 'newPassword must be 8 to 128 characters'],
      [{ currentPassword: 'first password' }, 'newPassword must be 8 to 128 characters'],
      [{ newPassword: 'second password' }, 'currentPassword must not be empty'],
      [{ currentPassword: 'first password', newPassword: 12345678 }, 'newPassword must be a string'],
    ])('refuses %j with 400 naming the field and its rule, and writes nothing', async (body, rule) => {
      const ada = await api.customer('first password');
      const before = await eventCount();
      const answer = await api.call<{ message: string[] }>('PUT', '/api/users/me/password', ada.token, body);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain(rule);
      expect(await eventCount()).toBe(before);
    });

    it('takes the new password, answers a new token, and every older token stops counting', async () => {
      const ada = await api.customer('first password');
      const otherSession = await api.token(ada.email, 'first password');
      const answer = await api.call<{ accessToken: string; tokenType: string }>('PUT', '/api/users/me/password', ada.token, {
        currentPassword: 'first password',
        newPassword: 'second password',
      });
      expect(answer).toMatchObject({ status: 200, body: { tokenType: 'Bearer', accessToken: expect.any(String) } });
      for (const old of [ada.token, otherSession]) expect(await me(old)).toMatchObject({ status: 401, body: NOT_VALID });
      expect(await me(answer.body.accessToken)).toMatchObject({ status: 200, body: { email: ada.email } });
      expect((await api.login(ada.email, 'first password')).status).toBe(401);
      expect((await me(await api.token(ada.email, 'second password'))).status).toBe(200);
    });

    it('works over GraphQL as over REST', async () => {
      const ada = await api.customer('first password');
      const CHANGE = 'mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }';
      const wrong = await api.graphql(ada.token, CHANGE, { input: { currentPassword: 'not my password', newPassword: 'second password' } });
      expect(wrong.status).toBe(403);
      expect(wrong.body.errors?.map((error) => [error.message, error.extensions?.code])).toEqual([['The current password is wrong.', 'FORBIDDEN']]);
      const short = await api.graphql(ada.token, CHANGE, { input: { currentPassword: 'first password', newPassword: 'short' } });
      expect(short.status).toBe(400);
      expect(JSON.stringify(short.body.errors)).toContain('newPassword must be 8 to 128 characters');
      const changed = await api.graphql(ada.token, CHANGE, { input: { currentPassword: 'first password', newPassword: 'second password' } });
      const { accessToken } = (changed.body.data as { changePassword: { accessToken: string } }).changePassword;
      expect((await me(ada.token)).status).toBe(401);
      expect((await me(accessToken)).status).toBe(200);
    });
  });

  describe('signing out', () => {
    it('ends every session of the user, over REST', async () => {
      const ada = await api.customer();
      const otherSession = await api.token(ada.email, 'first password');
      const bob = await api.customer();
      const answer = await api.call('POST', '/api/auth/logout', ada.token);
      expect(answer.status).toBe(204);
      for (const old of [ada.token, otherSession]) expect(await me(old)).toMatchObject({ status: 401, body: NOT_VALID });
      // Another user's session goes on; signing in again works.
      expect((await me(bob.token)).status).toBe(200);
      expect((await me(await api.token(ada.email, 'first password'))).status).toBe(200);
    });

    it('ends every session of the user, over GraphQL', async () => {
      const ada = await api.customer();
      const answer = await api.graphql(ada.token, 'mutation { logout }');
      expect(answer.body).toEqual({ data: { logout: true } });
      expect((await api.graphql(ada.token, '{ me { email } }')).status).toBe(401);
    });

    it('needs a token that counts', async () => {
      expect(await api.call('POST', '/api/auth/logout')).toMatchObject({ status: 401 });
    });
  });

  describe("resetting a user's password", () => {
    it('lets an admin set it without the old one; the user signs in with it and their older tokens stop counting', async () => {
      const ada = await api.customer('first password');
      const answer = await api.call('PUT', `/api/users/${ada.userId}/password`, admin.token, { newPassword: 'set by the admin' });
      expect(answer.status).toBe(204);
      expect(await me(ada.token)).toMatchObject({ status: 401, body: NOT_VALID });
      expect((await api.login(ada.email, 'first password')).status).toBe(401);
      expect((await me(await api.token(ada.email, 'set by the admin'))).status).toBe(200);
      // The admin's own session goes on.
      expect((await me(admin.token)).status).toBe(200);
    });

    it('refuses a customer with 403 and writes nothing', async () => {
      const ada = await api.customer();
      const bob = await api.customer();
      const before = await eventCount();
      const answer = await api.call('PUT', `/api/users/${bob.userId}/password`, ada.token, { newPassword: 'taken over by ada' });
      expect(answer).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden' } });
      expect(await eventCount()).toBe(before);
      expect((await me(bob.token)).status).toBe(200);
      expect((await api.login(bob.email, 'taken over by ada')).status).toBe(401);
    });

    it('answers 404 for a user who does not exist, 400 for an id that is no UUID and for a short password', async () => {
      const before = await eventCount();
      expect((await api.call('PUT', `/api/users/${randomUUID()}/password`, admin.token, { newPassword: 'for nobody at all' })).status).toBe(404);
      expect((await api.call('PUT', '/api/users/not-an-id/password', admin.token, { newPassword: 'for nobody at all' })).status).toBe(400);
      const short = await api.call<{ message: string[] }>('PUT', `/api/users/${admin.userId}/password`, admin.token, { newPassword: 'short' });
      expect(short).toMatchObject({ status: 400, body: { message: ['newPassword must be 8 to 128 characters'] } });
      expect(await eventCount()).toBe(before);
    });

    it('works over GraphQL for an admin, and refuses a customer', async () => {
      const ada = await api.customer('first password');
      const RESET = 'mutation($id: ID!, $input: ResetPasswordInput!) { resetPassword(id: $id, input: $input) }';
      const refused = await api.graphql(ada.token, RESET, { id: admin.userId, input: { newPassword: 'taken over by ada' } });
      expect(refused.status).toBe(403);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await api.graphql(admin.token, RESET, { id: ada.userId, input: { newPassword: 'set by the admin' } })).body).toEqual({ data: { resetPassword: true } });
      expect((await me(ada.token)).status).toBe(401);
      expect((await api.login(ada.email, 'set by the admin')).status).toBe(200);
    });
  });
});

describe('the shop host in production (NODE_ENV=production)', () => {
  let host: HostProcess;
  let api: ReturnType<typeof client>;
  const password = 'the operator chose this';

  beforeAll(async () => {
    const url = await createTestDatabase('shop_production');
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: url, NODE_ENV: 'production', ADMIN_PASSWORD: password, DEMO_DATA: undefined } });
    api = client(host.url);
  }, 60_000);

  afterAll(async () => {
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('creates the administrator with ADMIN_PASSWORD only, and prints no password', async () => {
    expect((await api.login(ADMIN.email, password)).status).toBe(200);
    expect((await api.login(ADMIN.email, ADMIN.password)).status).toBe(401);
    expect(host.stdout).not.toContain(password);
    expect(host.stdout).not.toContain(ADMIN.password);
  });

  it('adds no demo data: no demo customer, no products', async () => {
    expect((await api.login('customer@agora.local', 'agora-customer')).status).toBe(401);
    const products = await api.call<{ items: unknown[] }>('GET', '/api/products');
    expect(products).toMatchObject({ status: 200, body: { items: [] } });
  });
});
