import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, freePort, HostProcess } from '@agora/testing';
import { ADMIN, ShopClient } from '../checkout/shop-client.js';

// Every input the host takes, found in its own OpenAPI document and GraphQL schema (so a
// new endpoint or operation is covered without a change here), gets each hostile value in
// turn: the answer is 400 naming the field, nothing is written, and nothing is logged as
// an error.

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';
const OVER_LONG = 'X'.repeat(5000);
const encodeCursor = (values: unknown): string => Buffer.from(JSON.stringify(values)).toString('base64url');
/** Cursors a client could make up: every list must refuse them all. */
const BAD_CURSORS: Record<string, string> = {
  'not base64url': 'a+b/c=',
  'not JSON': Buffer.from('not json').toString('base64url'),
  'not a list': encodeCursor({ after: 1 }),
  'a bad date and id': encodeCursor(['not a date', 'not an id']),
  'a good date and a bad id': encodeCursor(['2026-01-01T00:00:00.000Z', 'x']),
  'a NUL inside': encodeCursor([NUL, NUL]),
  'numbers': encodeCursor([1, 2]),
};
const DEEP_LEVELS = 5000;
const deeplyNested = (): string => `${'['.repeat(DEEP_LEVELS)}${']'.repeat(DEEP_LEVELS)}`;
/** The codes of a GraphQL request refused for what it holds. */
const CLIENT_ERROR_CODES: readonly string[] = ['BAD_REQUEST', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'OPERATION_RESOLUTION_FAILURE'];
/** What PostgreSQL or a stack trace would say: none of it may reach a client. */
const LEAKS = /invalid input syntax|unsupported Unicode|invalid byte sequence|QueryFailedError|violates|\bat .*\.js:\d+/;

interface Answer {
  readonly status: number;
  readonly text: string;
}

interface Case {
  readonly name: string;
  /** The field the answer must name. */
  readonly field: string;
  readonly send: () => Promise<Answer>;
  /** The answer may come from GraphQL variable coercion, whose codes differ. */
  readonly graphql?: boolean;
}

interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  minimum?: number;
  enum?: unknown[];
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema: OpenApiSchema }[];
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
}

interface OpenApi {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, OpenApiSchema> };
}

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface InputValue {
  name: string;
  type: TypeRef;
}

interface SchemaType {
  kind: string;
  name: string;
  fields: { name: string; args: InputValue[]; type: TypeRef }[] | null;
  inputFields: InputValue[] | null;
  enumValues: { name: string }[] | null;
}

type SchemaField = NonNullable<SchemaType['fields']>[number];

const INTROSPECTION = `{ __schema { queryType { name } mutationType { name } types { kind name
  fields { name type { ...Ref } args { name type { ...Ref } } }
  inputFields { name type { ...Ref } }
  enumValues { name } } } }
  fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

describe('hostile input', () => {
  let host: HostProcess;
  let shop: ShopClient;
  let pool: pg.Pool;
  let token: string;

  beforeAll(async () => {
    const url = await createTestDatabase('shop_hostile');
    host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: url, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' } });
    pool = new pg.Pool({ connectionString: url, max: 1 });
    shop = await ShopClient.signIn(host.url);
    token = await shop.login(ADMIN.email, ADMIN.password);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 30_000);

  const send = async (method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body }),
    });
    return { status: response.status, text: await response.text() };
  };

  /** Every REST input that takes a string or a number, with each hostile value it must refuse. */
  async function restCases(): Promise<Case[]> {
    const document = (await (await fetch(`${host.url}/docs-json`)).json()) as OpenApi;
    const resolve = (schema: OpenApiSchema): OpenApiSchema => (schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()!]! : schema);
    /** A valid value for a schema, from its examples, so that the hostile field is the only thing wrong. */
    const valid = (schema: OpenApiSchema): unknown => {
      const resolved = resolve(schema);
      if (resolved.example !== undefined) return resolved.example;
      if (resolved.enum) return resolved.enum[0];
      if (resolved.format === 'uuid') return randomUUID();
      if (resolved.type === 'number' || resolved.type === 'integer') return resolved.minimum ?? 1;
      if (resolved.type === 'array') return [valid(resolved.items!)];
      if (resolved.properties) return Object.fromEntries(Object.entries(resolved.properties).map(([name, property]) => [name, valid(property)]));
      return 'x';
    };
    /** The leaves of a body: [path, schema], e.g. ['lines.0.sku', …]. */
    const leaves = (schema: OpenApiSchema, path: string[] = []): [string[], OpenApiSchema][] => {
      const resolved = resolve(schema);
      if (resolved.type === 'array') return leaves(resolved.items!, [...path, '0']);
      if (resolved.properties) return Object.entries(resolved.properties).flatMap(([name, property]) => leaves(property, [...path, name]));
      return [[path, resolved]];
    };
    const hostile = (schema: OpenApiSchema, where: 'url' | 'body', name: string): [string, unknown][] => {
      if (name === 'after') return Object.entries(BAD_CURSORS).map(([what, cursor]) => [`a cursor that is ${what}`, cursor]);
      const numeric = schema.type === 'number' || schema.type === 'integer';
      const values: [string, unknown][] = [
        ['a NUL character', NUL],
        ['over-long text', OVER_LONG],
      ];
      // A URL carries UTF-8, which cannot hold half a surrogate pair.
      if (where === 'body') values.push(['an unpaired surrogate', LONE_SURROGATE]);
      if (numeric) values.push(['text for a number', 'abc']);
      return values;
    };

    const cases: Case[] = [];
    for (const [template, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const parameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path' || parameter.in === 'query');
        const bodySchema = operation.requestBody?.content['application/json']?.schema;
        const pathValues = Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, String(valid(p.schema))]));
        const url = (path: Record<string, string>, query: Record<string, string>) => {
          const search = new URLSearchParams(query).toString();
          return `${template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name]!))}${search ? `?${search}` : ''}`;
        };
        const body = bodySchema && (valid(bodySchema) as Record<string, unknown>);
        const call = (path: Record<string, string>, query: Record<string, string>, sent?: unknown) =>
          send(method.toUpperCase(), url(path, query), sent === undefined ? (body && JSON.stringify(body)) : typeof sent === 'string' ? sent : JSON.stringify(sent));
        const operationName = `${method.toUpperCase()} ${template}`;

        for (const parameter of parameters) {
          for (const [what, value] of hostile(parameter.schema, 'url', parameter.name)) {
            const path = parameter.in === 'path' ? { ...pathValues, [parameter.name]: String(value) } : pathValues;
            const query = parameter.in === 'query' ? { [parameter.name]: String(value) } : {};
            cases.push({ name: `${operationName}: ${parameter.name} (${parameter.in}) with ${what}`, field: parameter.name, send: () => call(path, query) });
          }
        }
        if (!bodySchema || !body) continue;
        for (const [path, schema] of leaves(bodySchema)) {
          for (const [what, value] of hostile(schema, 'body', path.at(-1)!)) {
            const sent = structuredClone(body);
            let at: Record<string, unknown> = sent;
            for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
            at[path.at(-1)!] = value;
            cases.push({ name: `${operationName}: body ${path.join('.')} with ${what}`, field: path.join('.'), send: () => call(pathValues, {}, sent) });
          }
        }
        const [first] = Object.keys(body);
        const deep = JSON.stringify({ ...body, [first!]: '<deep>' }).replace('"<deep>"', deeplyNested());
        cases.push({ name: `${operationName}: body ${first} nested ${DEEP_LEVELS} levels`, field: first!, send: () => call(pathValues, {}, deep) });
      }
    }
    return cases;
  }

  /** Every GraphQL argument, or field of an input argument, that takes a string or a number, with each hostile value. */
  async function graphqlCases(): Promise<Case[]> {
    const schema = (await send('POST', '/graphql', JSON.stringify({ query: INTROSPECTION }))).text;
    const { queryType, mutationType, types } = (JSON.parse(schema) as { data: { __schema: { queryType: { name: string }; mutationType: { name: string } | null; types: SchemaType[] } } }).data.__schema;
    const byName = new Map(types.map((type) => [type.name, type]));
    const named = (ref: TypeRef): TypeRef => (ref.ofType ? named(ref.ofType) : ref);
    const typeText = (ref: TypeRef): string => (ref.kind === 'NON_NULL' ? `${typeText(ref.ofType!)}!` : ref.kind === 'LIST' ? `[${typeText(ref.ofType!)}]` : ref.name!);
    const examples = await exampleValues();
    const valid = (ref: TypeRef, name: string): unknown => {
      if (ref.kind === 'NON_NULL') return valid(ref.ofType!, name);
      if (ref.kind === 'LIST') return [valid(ref.ofType!, name)];
      const type = byName.get(ref.name!)!;
      if (type.kind === 'ENUM') return type.enumValues![0]!.name;
      if (type.kind === 'INPUT_OBJECT') return Object.fromEntries(type.inputFields!.map((field) => [field.name, valid(field.type, field.name)]));
      if (ref.name === 'ID') return randomUUID();
      if (ref.name === 'Boolean') return true;
      if (['Int', 'Float', 'SafeInt'].includes(ref.name!)) return typeof examples.get(name) === 'number' ? examples.get(name) : 1;
      return examples.get(name) ?? 'x';
    };
    /** Paths to the scalar leaves under an argument: [['input', 'lines', '0', 'sku'], …]. */
    const leaves = (ref: TypeRef, path: string[]): [string[], string][] => {
      if (ref.kind === 'NON_NULL') return leaves(ref.ofType!, path);
      if (ref.kind === 'LIST') return leaves(ref.ofType!, [...path, '0']);
      const type = byName.get(ref.name!)!;
      if (type.kind === 'INPUT_OBJECT') return type.inputFields!.flatMap((field) => leaves(field.type, [...path, field.name]));
      return type.kind === 'SCALAR' && ref.name !== 'Boolean' ? [[path, ref.name!]] : [];
    };
    const hostile = (scalar: string, name: string): [string, unknown][] => {
      if (name === 'after') return Object.entries(BAD_CURSORS).map(([what, cursor]) => [`a cursor that is ${what}`, cursor]);
      if (['Int', 'Float', 'SafeInt'].includes(scalar)) return [['a mistyped variable: text for a number', 'abc'], ['a mistyped variable: a NUL for a number', NUL]];
      return [
        ['a NUL character', NUL],
        ['an unpaired surrogate', LONE_SURROGATE],
        ['over-long text', OVER_LONG],
        ['a mistyped variable: an object for text', { text: 'x' }],
      ];
    };

    /**
     * Where each field that takes arguments is asked: the root fields, and the fields of
     * the object types reached from the root query through fields that need no argument
     * (Query.products → ProductPage.items → Product.alsoBought).
     */
    const places: { keyword: 'query' | 'mutation'; label: string; field: SchemaField; around: (call: string) => string }[] = [];
    for (const [keyword, root] of [['query', queryType], ['mutation', mutationType]] as const) {
      if (root) for (const field of byName.get(root.name)!.fields!) places.push({ keyword, label: field.name, field, around: (call) => call });
    }
    const reached = new Set<string>([queryType.name]);
    const pending: { type: string; label: string; around: (call: string) => string }[] = [{ type: queryType.name, label: '', around: (call) => call }];
    while (pending.length > 0) {
      const { type, label, around } = pending.shift()!;
      for (const field of byName.get(type)!.fields ?? []) {
        const returns = byName.get(named(field.type).name!)!;
        if (type !== queryType.name && field.args.length > 0) places.push({ keyword: 'query', label: `${label}${field.name}`, field, around });
        if (returns.kind !== 'OBJECT' || reached.has(returns.name) || field.args.some((arg) => arg.type.kind === 'NON_NULL')) continue;
        reached.add(returns.name);
        pending.push({ type: returns.name, label: `${label}${field.name}.`, around: (call) => around(`${field.name} { ${call} }`) });
      }
    }

    const cases: Case[] = [];
    for (const { keyword, label, field, around } of places) {
      const returns = byName.get(named(field.type).name!)!;
      const selection = returns.kind === 'OBJECT' ? ' { __typename }' : '';
      const declared = field.args.map((arg) => `$${arg.name}: ${typeText(arg.type)}`).join(', ');
      const passed = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
      const query = `${keyword}${declared ? `(${declared})` : ''} { ${around(`${field.name}${passed ? `(${passed})` : ''}${selection}`)} }`;
      const required = Object.fromEntries(field.args.filter((arg) => arg.type.kind === 'NON_NULL').map((arg) => [arg.name, valid(arg.type, arg.name)]));
      for (const arg of field.args) {
        for (const [path, scalar] of leaves(arg.type, [arg.name])) {
          for (const [what, value] of hostile(scalar, path.at(-1)!)) {
            const variables = structuredClone({ ...required, [arg.name]: valid(arg.type, arg.name) }) as Record<string, unknown>;
            let at: Record<string, unknown> = variables;
            for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
            at[path.at(-1)!] = value;
            const name = `GraphQL ${keyword} ${label}: ${path.join('.')} with ${what}`;
            cases.push({ name, field: path.at(-1)!, graphql: true, send: () => send('POST', '/graphql', JSON.stringify({ query, variables })) });
          }
        }
      }
    }
    const deep = `{"query":"query($v: Boolean) { __typename @include(if: $v) }","variables":{"v":${deeplyNested()}}}`;
    cases.push({ name: `GraphQL variables nested ${DEEP_LEVELS} levels`, field: 'variables', send: () => send('POST', '/graphql', deep) });
    const unknown = JSON.stringify({ query: 'query($first: Int) { products(first: $first) { __typename } }', variables: { first: 1 }, operationName: 'Unnamed' });
    cases.push({ name: 'GraphQL an operation name the document does not have', field: 'Unnamed', graphql: true, send: () => send('POST', '/graphql', unknown) });
    return cases;
  }

  /** The examples of the OpenAPI document by field name: a valid sku, email, token… for GraphQL's inputs of the same names. */
  async function exampleValues(): Promise<Map<string, unknown>> {
    const document = (await (await fetch(`${host.url}/docs-json`)).json()) as OpenApi;
    const examples = new Map<string, unknown>();
    for (const schema of Object.values(document.components.schemas)) {
      for (const [name, property] of Object.entries(schema.properties ?? {})) if (property.example !== undefined && !examples.has(name)) examples.set(name, property.example);
    }
    return examples;
  }

  const eventCount = async (): Promise<number> => Number((await pool.query<{ count: string }>('SELECT count(*) FROM event_store.events')).rows[0]!.count);

  it(
    'refuses every hostile value at every input with 400 naming the field, writes nothing and logs no error',
    async () => {
      // The examples' products exist, so that an order or a stock addition would go through but for the hostile field.
      for (const sku of ['TSHIRT-RED-M', 'MUG-BLUE']) {
        if ((await shop.request('GET', `/api/products/${sku}`, undefined, {}, 'anonymous')).status === 404) {
          await shop.request('POST', '/api/products', { sku, name: `Product ${sku}`, priceCents: 100, currency: 'EUR', initialStock: 10 }, {}, 'admin');
        }
      }
      const cases = [...(await restCases()), ...(await graphqlCases())];
      // The enumeration found the inputs it must: REST bodies, paths and queries, GraphQL arguments and inputs.
      for (const expected of ['POST /api/users: body name', 'GET /api/products/{sku}: sku (path)', 'GET /api/products: search (query)', 'GET /api/orders: after (query)', 'GraphQL mutation register: input.name', 'GraphQL query orders: after', 'GraphQL query product: sku', 'GraphQL query products.items.alsoBought: first']) {
        expect(cases.some((c) => c.name.startsWith(expected))).toBe(true);
      }
      const before = await eventCount();
      const logged = host.logs().length;

      const wrong: string[] = [];
      for (const { name, field, send: sendCase, graphql } of cases) {
        const { status, text } = await sendCase();
        let body: { message?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          // Judged below: a message is expected.
        }
        const message = body.errors ? body.errors.map((error) => error.message).join(' ') : JSON.stringify(body.message ?? '');
        const codes = body.errors?.map((error) => error.extensions?.code);
        const problems = [
          ...(status === 400 ? [] : [`status ${status}`]),
          ...(message.includes(field) ? [] : [`the message does not name ${field}`]),
          ...(LEAKS.test(text) ? ['database or stack text'] : []),
          ...(graphql && !codes?.every((code) => CLIENT_ERROR_CODES.includes(code!)) ? [`codes ${JSON.stringify(codes)}`] : []),
        ];
        if (problems.length > 0) wrong.push(`${name}: ${problems.join(', ')} — ${text.slice(0, 300)}`);
      }
      expect(wrong).toEqual([]);

      expect(await eventCount()).toBe(before);
      // Logs are written after the answer: the last request's line is there once they all are.
      const marker = randomUUID();
      await send('GET', '/api/products/NO-SUCH-PRODUCT', undefined, { 'x-correlation-id': marker });
      await host.waitForLog((line) => line.correlationId === marker);
      const errors = host.logs().slice(logged).filter((line) => Number(line.level) >= 50);
      expect(errors.map((line) => `${String(line.msg)} ${JSON.stringify(line.err ?? '').slice(0, 300)}`)).toEqual([]);
    },
    180_000,
  );
});
