import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { type HttpTestApp, httpTestApp } from '@agora/testing';
import { graphqlFor } from '@agora/host';
import type { SignInLimits } from './sign-in-throttle.js';
import { userReadModel } from '../../read-model/user-read-model.js';
import { UserModule } from '../../user.module.js';
import { USER_RESOLVERS } from '../../user.context.js';

const LIMITS: SignInLimits = {
  AUTH_MAX_FAILURES_PER_ACCOUNT: 2,
  AUTH_MAX_FAILURES_PER_ADDRESS: 100,
  AUTH_FAILURE_WINDOW_S: 600,
  AUTH_MAX_REGISTRATIONS_PER_ADDRESS: 2,
  AUTH_REGISTRATION_WINDOW_S: 600,
};

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Sign-in and registration over GraphQL are throttled as over REST, and refused the same way: 429 and Retry-After. */
describe('throttled login and register mutations (GraphQL, PostgreSQL)', () => {
  let tested: HttpTestApp;

  beforeAll(async () => {
    const graphql = graphqlFor(USER_RESOLVERS);
    tested = await httpTestApp({
      database: 'graphql_throttle',
      title: 'Users',
      readModels: [userReadModel],
      imports: [UserModule.forRoot(LIMITS), graphql.module],
      providers: graphql.resolvers,
      http: { trustProxyHops: 1 },
    });
  });

  afterAll(() => tested.close());

  /** From the client address `from`, as the one trusted proxy says. */
  const gql = (from: string, query: string, variables: Record<string, unknown>) =>
    request(tested.app.getHttpServer()).post('/graphql').set('x-forwarded-for', from).set('content-type', 'application/json').send(JSON.stringify({ query, variables }));
  const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { userId } }';
  const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }';
  function expectRefused(response: request.Response, rule: string): void {
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 600).toBe(true);
    expect((response.body as Answer).errors).toEqual([
      expect.objectContaining({ message: `${rule} Try again in ${retryAfter} seconds.`, extensions: expect.objectContaining({ code: 'TOO_MANY_REQUESTS', retryAfter }) }),
    ]);
  }

  it('refuses the login of an account after its failures with 429, the right password from elsewhere too', async () => {
    const input = { email: 'ada@example.org', name: 'Ada', password: 'analytical engine' };
    expect((await gql('203.0.113.1', REGISTER, { input })).body).toMatchObject({ data: { register: { userId: expect.any(String) } } });
    for (const guess of ['guess 1', 'guess 2']) {
      const wrong = await gql('203.0.113.1', LOGIN, { input: { email: input.email, password: guess } });
      expect(wrong.status).toBe(401);
      expect((wrong.body as Answer).errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expectRefused(await gql('203.0.113.2', LOGIN, { input: { email: input.email, password: input.password } }), 'Too many failed sign-ins for this account: at most 2 in 600 seconds.');
  });

  it('refuses registrations from an address past its limit with 429', async () => {
    const from = '198.51.100.1';
    for (const email of ['grace@example.org', 'barbara@example.org']) {
      expect((await gql(from, REGISTER, { input: { email, name: 'New', password: 'password ok' } })).status).toBe(200);
    }
    expectRefused(
      await gql(from, REGISTER, { input: { email: 'hedy@example.org', name: 'Hedy', password: 'frequency hopping' } }),
      'Too many registrations from this address: at most 2 in 600 seconds.',
    );
  });
});
