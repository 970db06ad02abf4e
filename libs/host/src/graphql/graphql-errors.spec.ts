import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ForbiddenException, HttpException, HttpStatus, type INestApplication } from '@nestjs/common';
import { Args, Field, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import pino from 'pino';
import request from 'supertest';
import { Writable } from 'node:stream';
import { createHttpApp, CurrentUser, loggerModule, Public, SHUTDOWN_SIGNALS, type Principal } from '@agora/platform';
import { testAuth } from '@agora/testing';
import { graphqlFor } from './graphql-for.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_MUTATIONS } from './limits.js';

@ObjectType()
class Node {
  @Field(() => Int)
  level!: number;

  @Field(() => Node)
  child!: Node;
}

/** How many times `bump` ran. */
let bumps = 0;

@Resolver(() => Node)
class ErrorsResolver {
  @Public()
  @Query(() => [Node])
  page(@Args('first', { type: () => Int }) first: number): Node[] {
    return Array.from({ length: first }, (_, level) => ({ level, child: { level: level + 1 } as Node }));
  }

  @Public()
  @Mutation(() => Int)
  bump(): number {
    return ++bumps;
  }

  @Public()
  @Query(() => Node)
  node(@Args('level', { type: () => Int, nullable: true }) level?: number): Node {
    const at = (depth: number): Node => ({ level: depth, get child() { return at(depth + 1); } });
    return at(level ?? 0);
  }

  @Query(() => Int, { description: 'Needs a bearer token.' })
  mine(@CurrentUser() principal: Principal): number {
    return principal.userId.length;
  }

  @Public()
  @Query(() => Int)
  forbidden(): number {
    throw new ForbiddenException('Not yours.');
  }

  @Public()
  @Query(() => Int)
  throttled(): number {
    throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: 'Too many tries.', retryAfter: 42 }, HttpStatus.TOO_MANY_REQUESTS);
  }

  @Public()
  @Query(() => Int)
  overTheLimit(): number {
    // As the order context answers a customer's pending orders at their limit.
    throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: 'Too many pending orders.', limit: 'ORDER_MAX_PENDING_PER_CUSTOMER', max: 20 }, HttpStatus.TOO_MANY_REQUESTS);
  }

  @Public()
  @Query(() => Int, { nullable: true })
  length(@Args('text') text: string): number {
    return text.length;
  }

  @Public()
  @Query(() => Int)
  refusedByTheDatabase(): number {
    // What pg throws for a value PostgreSQL cannot read.
    throw Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code: '22P02', severity: 'ERROR' });
  }

  @Public()
  @Query(() => Int)
  broken(): number {
    throw new Error('connection to 10.0.0.7:5432 refused for user agora');
  }
}

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** What a client sees over GraphQL for each kind of refusal: the status REST would answer, never 500 for its own mistake. */
describe('GraphQL errors as HTTP statuses', () => {
  const lines: { level: number }[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number });
        done();
      },
    }),
  );
  let app: INestApplication;
  const signalListeners = SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)] as const);

  beforeAll(async () => {
    const graphql = graphqlFor([ErrorsResolver]);
    app = await createHttpApp(
      { module: class GraphqlErrorsModule {}, imports: [loggerModule(logger), testAuth.module(), graphql.module], providers: [...graphql.resolvers] },
      { logger, title: 'Test', description: 'GraphQL errors under test', version: '0.0.0' },
    );
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    for (const [signal, listeners] of signalListeners) for (const listener of listeners) process.on(signal, listener);
  });

  const PINO_ERROR = 50;
  const post = (query: string, variables: Record<string, unknown> = {}) =>
    request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json').send(JSON.stringify({ query, variables }));
  /** The answer to a request that a client got wrong: no error-level line may be logged for it. */
  async function gql(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<request.Response> {
    const before = lines.length;
    const response = await post(query, variables).set(headers);
    expect(lines.slice(before).filter((line) => line.level >= PINO_ERROR)).toEqual([]);
    return response;
  }

  it('answers a query too costly with 400 and QUERY_TOO_COMPLEX, and logs no error', async () => {
    const response = await gql('{ page(first: 500) { level child { level } } }');
    expect(response.status).toBe(400);
    expect((response.body as Answer).errors![0]).toMatchObject({ message: expect.stringMatching(/^Query is too complex: \d+, the limit is 1000$/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
  });

  it('answers a query nested too deep with 400 and GRAPHQL_VALIDATION_FAILED', async () => {
    // node, `children` times child, level: children + 2 levels.
    const nested = (children: number): string => `{ node { ${'child { '.repeat(children)}level${' }'.repeat(children)} } }`;
    expect((await gql(nested(MAX_DEPTH - 2))).status).toBe(200);
    const response = await gql(nested(MAX_DEPTH - 1));
    expect(response.status).toBe(400);
    expect((response.body as Answer).errors![0]).toMatchObject({ message: `Query is nested deeper than the limit of ${MAX_DEPTH}`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });

  it(`answers an operation with more than ${MAX_ALIASES} aliases with 400, naming the limit`, async () => {
    const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `n${i}: node { level }`).join(' ')} }`;
    expect((await gql(aliased(MAX_ALIASES))).status).toBe(200);
    const response = await gql(aliased(MAX_ALIASES + 1));
    expect(response.status).toBe(400);
    expect((response.body as Answer).errors).toEqual([
      expect.objectContaining({ message: `Query has more aliases than the limit of ${MAX_ALIASES}`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
  });

  it(`answers a request with more than ${MAX_MUTATIONS} mutations with 400, naming the limit, and runs none of them`, async () => {
    const mutations = (count: number) => Array.from({ length: count }, (_, i) => `b${i}: bump`).join(' ');
    const before = bumps;
    expect((await gql(`mutation { ${mutations(MAX_MUTATIONS)} }`)).status).toBe(200);
    expect(bumps).toBe(before + MAX_MUTATIONS);
    for (const query of [
      `mutation { ${mutations(MAX_MUTATIONS + 1)} }`,
      `mutation { ...Some ... on Mutation { ${mutations(1)} } } fragment Some on Mutation { ${mutations(MAX_MUTATIONS)} }`,
    ]) {
      const response = await gql(query);
      expect(response.status).toBe(400);
      expect((response.body as Answer).errors).toEqual([
        expect.objectContaining({ message: `Request runs ${MAX_MUTATIONS + 1} mutations, the limit is ${MAX_MUTATIONS}`, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ]);
    }
    expect(bumps).toBe(before + MAX_MUTATIONS);
  });

  it.each([
    { refused: 'an unknown field', query: '{ node { colour } }', variables: {}, code: 'GRAPHQL_VALIDATION_FAILED' },
    { refused: 'a syntax error', query: '{ node { level }', variables: {}, code: 'GRAPHQL_PARSE_FAILED' },
    { refused: 'a variable of the wrong type', query: 'query($level: Int) { node(level: $level) { level } }', variables: { level: 'abc' }, code: 'BAD_USER_INPUT' },
    { refused: 'a NUL character in a variable', query: 'query($text: String!) { length(text: $text) }', variables: { text: 'a\u0000b' }, code: 'BAD_REQUEST' },
    { refused: 'an unpaired surrogate in a variable', query: 'query($text: String!) { length(text: $text) }', variables: { text: 'a\ud800' }, code: 'BAD_REQUEST' },
    { refused: 'a NUL character in the query text', query: '{ length(text: "a\\u0000b") }', variables: {}, code: 'BAD_REQUEST' },
  ])('answers $refused with 400 and $code', async ({ query, variables, code }) => {
    const response = await gql(query, variables);
    expect(response.status).toBe(400);
    expect((response.body as Answer).errors![0]!.extensions).toMatchObject({ code });
  });

  it('names the argument and the rule when a string is refused, though the field may be null', async () => {
    const response = await gql('query($text: String!) { length(text: $text) }', { text: 'a\u0000b' });
    expect(response.status).toBe(400);
    expect((response.body as Answer).errors![0]).toMatchObject({ message: 'text must not contain a NUL character (\\u0000)', extensions: { code: 'BAD_REQUEST' } });
    expect((await gql('query($text: String!) { length(text: $text) }', { text: 'ab' })).body).toEqual({ data: { length: 2 } });
  });

  it('answers an operation name the document does not have with 400', async () => {
    for (const query of ['query Known { node { level } }', 'query($level: Int) { node(level: $level) { level } }']) {
      const response = await request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json').send(JSON.stringify({ query, operationName: 'Unknown' }));
      expect(response.status).toBe(400);
      expect((response.body as Answer).errors![0]).toMatchObject({ message: 'Unknown operation named "Unknown".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
    }
    // The one named of several runs.
    const several = await request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json').send(JSON.stringify({ query: 'query Other { node { level } } query Named { node(level: 3) { level } }', operationName: 'Named' }));
    expect(several.body).toEqual({ data: { node: { level: 3 } } });
  });

  it('answers a value the database refused with 400 and BAD_REQUEST, without the database’s words', async () => {
    const response = await post('{ refusedByTheDatabase }');
    expect(response.status).toBe(400);
    expect((response.body as Answer).errors).toEqual([expect.objectContaining({ message: 'A value of the request is not valid for its field', extensions: { code: 'BAD_REQUEST' } })]);
    expect(JSON.stringify(response.body)).not.toMatch(/syntax|uuid/);
  });

  it('answers without a token with 401 and UNAUTHENTICATED, with a bad one too', async () => {
    const response = await gql('{ mine }');
    expect(response.status).toBe(401);
    expect((response.body as Answer).errors![0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect((await gql('{ mine }', {}, { authorization: 'Bearer not.a.token' })).status).toBe(401);
    const { authorization } = await testAuth.bearer({ userId: 'user-1', role: 'customer' });
    expect((await gql('{ mine }', {}, { authorization })).body).toEqual({ data: { mine: 6 } });
  });

  it('answers a forbidden query with 403 and FORBIDDEN', async () => {
    const response = await gql('{ forbidden }');
    expect(response.status).toBe(403);
    expect((response.body as Answer).errors![0]).toMatchObject({ message: 'Not yours.', extensions: { code: 'FORBIDDEN' } });
  });

  it('answers a throttled query with 429, TOO_MANY_REQUESTS, retryAfter and Retry-After', async () => {
    const response = await gql('{ throttled }');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('42');
    expect((response.body as Answer).errors![0]).toMatchObject({ message: 'Too many tries.', extensions: { code: 'TOO_MANY_REQUESTS', retryAfter: 42 } });
  });

  it('gives a refusal the other fields of its REST body as extensions, e.g. the limit a request passed', async () => {
    const response = await gql('{ overTheLimit }');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBeUndefined();
    expect((response.body as Answer).errors![0]).toMatchObject({
      message: 'Too many pending orders.',
      extensions: { code: 'TOO_MANY_REQUESTS', limit: 'ORDER_MAX_PENDING_PER_CUSTOMER', max: 20 },
    });
  });

  it('answers a fault of the server with 500 and a message that leaks nothing, and logs it as an error', async () => {
    const before = lines.length;
    const response = await post('{ broken }');
    expect(lines.slice(before).some((line) => line.level >= PINO_ERROR)).toBe(true);
    expect(response.status).toBe(500);
    expect((response.body as Answer).errors).toEqual([expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
    expect(JSON.stringify(response.body)).not.toContain('10.0.0.7');
  });
});
