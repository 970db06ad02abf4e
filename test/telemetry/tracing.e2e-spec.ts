import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { appEntry, createTestDatabase, freePort, HostProcess, OtlpReceiver, until, zipkinTrace, zipkinUrl, type OtlpExport } from '@agora/testing';

// Tracing as the standard OTEL_* variables configure it, seen from outside: the user app,
// built, exports its spans to an OTLP receiver of the test's own (or to Zipkin), and its
// log lines carry the trace they belong to. Without the variables nothing is loaded.

interface OtlpJsonSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
}

/** The spans of OTLP/JSON exports, each with its service and instrumentation. */
function jsonSpans(exports: readonly OtlpExport[]): (OtlpJsonSpan & { service: unknown; scope: string })[] {
  return exports.flatMap((received) => {
    const { resourceSpans } = JSON.parse(received.body.toString('utf8')) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { scope: { name: string }; spans: OtlpJsonSpan[] }[] }[];
    };
    return resourceSpans.flatMap(({ resource, scopeSpans }) => {
      const service = resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue;
      return scopeSpans.flatMap(({ scope, spans }) => spans.map((span) => ({ ...span, service, scope: scope.name })));
    });
  });
}

/** A W3C trace context of a new, sampled trace. */
function newTrace(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/** Every OTEL_* variable of the test's own environment, removed: the app sees only what a test sets. */
const NO_OTEL = Object.fromEntries(Object.keys(process.env).filter((name) => name.startsWith('OTEL_')).map((name) => [name, undefined]));

/** Preloaded into an app: as it exits, prints how many modules of the OpenTelemetry SDK, exporters and instrumentations it loaded. */
const COUNT_SDK_MODULES =
  'data:text/javascript,' +
  encodeURIComponent(`
    import { createRequire } from 'node:module';
    const loaded = createRequire('file:///').cache;
    process.on('exit', () => process.stderr.write('OpenTelemetry SDK modules loaded: ' + Object.keys(loaded).filter((path) => /[/]@opentelemetry[/](sdk-|exporter-|instrumentation)/.test(path)).length + '\\n'));
  `);

describe('tracing, configured by the OTEL_* variables', () => {
  let receiver: OtlpReceiver;
  let databaseUrl: string;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    databaseUrl = await createTestDatabase('telemetry');
  });

  afterEach(async () => {
    await host?.stop('SIGTERM');
    host = undefined;
    receiver.exports.length = 0;
  }, 30_000);

  afterAll(() => receiver.close());

  const startUser = async (env: Record<string, string>, nodeArgs: string[] = []) =>
    (host = await HostProcess.start({
      entry: appEntry('user'),
      port: await freePort(),
      env: { ...NO_OTEL, DATABASE_URL: databaseUrl, KAFKA_TOPIC_PREFIX: `t${randomUUID().slice(0, 8)}.`, LOG_FORMAT: 'json', ...env },
      nodeArgs,
      timeoutMs: 60_000,
    }));

  /** A sign-in that fails: the request goes through Express, Nest and PostgreSQL. */
  const signInWrongly = (user: HostProcess, traceparent: string) =>
    fetch(`${user.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' }),
    });

  const health = (user: HostProcess, traceparent: string) => fetch(`${user.url}/health`, { headers: { traceparent } });

  /** Spans are batched for a minute: only the flush at shutdown can export them before the test ends. */
  const ONLY_FLUSHED_AT_SHUTDOWN = { OTEL_BSP_SCHEDULE_DELAY: '60000' };

  it('exports OTLP/JSON spans of a request, flushed as the app stops, under the trace it was called in, and none of /health', async () => {
    const user = await startUser({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...ONLY_FLUSHED_AT_SHUTDOWN }, ['--import', COUNT_SDK_MODULES]);
    const request = newTrace();
    const probe = newTrace();
    expect((await health(user, probe.traceparent)).status).toBe(200);
    expect((await signInWrongly(user, request.traceparent)).status).toBe(401);
    const logLine = await user.waitForLog((line) => (line['req'] as { url?: string } | undefined)?.url === '/api/auth/login');

    expect(await user.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    host = undefined;

    expect(receiver.exports.map((received) => received.contentType)).toContainEqual('application/json');
    const spans = jsonSpans(receiver.exports);
    const ofRequest = spans.filter((span) => span.traceId === request.traceId);
    expect(new Set(ofRequest.map((span) => span.service))).toEqual(new Set(['agora-user']));
    // The app's ES modules were hooked: its HTTP server and the pg driver. The server span
    // is named by the route's template, which the app gives it.
    expect(ofRequest.map((span) => span.scope)).toEqual(expect.arrayContaining(['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg']));
    expect(ofRequest.map((span) => span.name)).toContain('POST /api/auth/login');
    expect(spans.filter((span) => span.traceId === probe.traceId)).toEqual([]);
    // The request's log line names its trace and one of its spans.
    expect(logLine).toEqual(expect.objectContaining({ trace_id: request.traceId, trace_flags: '01' }));
    expect(ofRequest.map((span) => span.spanId)).toContain(logLine['span_id']);
    expect(user.stderr).toMatch(/OpenTelemetry SDK modules loaded: [1-9]\d*\n/);
  }, 90_000);

  it('exports OTLP/protobuf spans of a request under OTEL_SERVICE_NAME, and none of /health', async () => {
    const user = await startUser({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'agora-user-canary',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    const request = newTrace();
    const probe = newTrace();
    expect((await health(user, probe.traceparent)).status).toBe(200);
    expect((await signInWrongly(user, request.traceparent)).status).toBe(401);

    // Exported while the app runs, within the batch delay.
    const traceIdBytes = Buffer.from(request.traceId, 'hex');
    await until(() => receiver.exports.some((received) => received.body.includes(traceIdBytes)), 10_000);
    const exported = receiver.exports.filter((received) => received.body.includes(traceIdBytes));
    expect(exported.map((received) => received.contentType)).toEqual(exported.map(() => 'application/x-protobuf'));
    expect(exported.every((received) => received.body.includes(Buffer.from('agora-user-canary')))).toBe(true);
    expect(receiver.exports.filter((received) => received.body.includes(Buffer.from(probe.traceId, 'hex'))).length).toBe(0);
  }, 90_000);

  it('exports to Zipkin with OTEL_TRACES_EXPORTER=zipkin', async () => {
    const user = await startUser({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkinUrl()}/api/v2/spans`, ...ONLY_FLUSHED_AT_SHUTDOWN });
    const request = newTrace();
    expect((await signInWrongly(user, request.traceparent)).status).toBe(401);
    expect(await user.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    host = undefined;

    let spans: Awaited<ReturnType<typeof zipkinTrace>> = [];
    await until(async () => (spans = await zipkinTrace(request.traceId)).length > 0, 10_000);
    expect(new Set(spans.map((span) => span.localEndpoint.serviceName))).toEqual(new Set(['agora-user']));
    expect(spans).toContainEqual(expect.objectContaining({ kind: 'SERVER', name: 'post /api/auth/login' }));
  }, 90_000);

  it('leaves out the instrumentations that OTEL_NODE_DISABLED_INSTRUMENTATIONS names, and keeps to those OTEL_NODE_ENABLED_INSTRUMENTATIONS names', async () => {
    const user = await startUser({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg,express',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg',
      ...ONLY_FLUSHED_AT_SHUTDOWN,
    });
    const request = newTrace();
    expect((await signInWrongly(user, request.traceparent)).status).toBe(401);
    const logLine = await user.waitForLog((line) => (line['req'] as { url?: string } | undefined)?.url === '/api/auth/login');
    expect(await user.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    host = undefined;

    // The HTTP server's span, and not the queries' (pg is disabled) …
    const ofRequest = jsonSpans(receiver.exports).filter((span) => span.traceId === request.traceId);
    expect(ofRequest.map((span) => `${span.scope} ${span.name}`)).toEqual(['@opentelemetry/instrumentation-http POST /api/auth/login']);
    // … nor the log line's trace fields (pino is not enabled).
    expect(logLine).not.toHaveProperty('trace_id');
    // A name the app has no instrumentation for is reported and ignored.
    expect(user.stderr).toContain('names express, which this app does not have (it has http, pg, pino, undici): ignored.');
  }, 90_000);

  it('exports nothing with OTEL_SDK_DISABLED=true, whatever else is set', async () => {
    const user = await startUser({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
    const request = newTrace();
    expect((await signInWrongly(user, request.traceparent)).status).toBe(401);
    const logLine = await user.waitForLog((line) => (line['req'] as { url?: string } | undefined)?.url === '/api/auth/login');
    expect(await user.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    host = undefined;

    expect(receiver.exports).toEqual([]);
    expect(logLine).not.toHaveProperty('trace_id');
  }, 90_000);

  it('loads no part of the SDK without OTEL_* variables, and its log lines name no trace', async () => {
    const user = await startUser({}, ['--import', COUNT_SDK_MODULES]);
    const request = newTrace();
    expect((await signInWrongly(user, request.traceparent)).status).toBe(401);
    const logLine = await user.waitForLog((line) => (line['req'] as { url?: string } | undefined)?.url === '/api/auth/login');
    expect(await user.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    host = undefined;

    expect(logLine).not.toHaveProperty('trace_id');
    expect(user.stderr).toContain('OpenTelemetry SDK modules loaded: 0\n');
  }, 90_000);
});
