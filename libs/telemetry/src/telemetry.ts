import { register } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { INSTRUMENTATIONS, telemetrySettings, type InstrumentationName, type TelemetrySettings } from './telemetry-settings.js';

/** Asked every few seconds by the load balancer and Prometheus: a trace each time would drown the rest. */
const UNTRACED_GETS = new Set(['/health', '/metrics']);

let running: { shutdown(): Promise<void> } | undefined;

/**
 * Starts tracing for the app when the OTEL_* variables ask for it (`telemetrySettings`):
 * the exporter, protocol, endpoint, sampler and resource are the SDK's reading of them;
 * the service is `agora-<app>` unless OTEL_SERVICE_NAME (or `service.name` in
 * OTEL_RESOURCE_ATTRIBUTES) names it.
 *
 * Call it before anything else is imported, and import the rest of the app after it
 * (`await import(...)`): an ES module is hooked only if it is loaded after the hook is
 * registered. When the variables do not ask for tracing, no OpenTelemetry module is
 * loaded and no hook is registered.
 */
export async function startTelemetry(app: string): Promise<void> {
  const settings = telemetrySettings(process.env);
  if (running || !settings.traces) return;
  // The one loader hook that OpenTelemetry supports, told to wrap only the modules an
  // instrumentation names as it is created: told nothing, it wraps every module the app
  // loads, its own included, none of which is instrumented.
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const [{ NodeSDK, resources }, instrumentations] = await Promise.all([import('@opentelemetry/sdk-node'), instrumentationsFor(settings)]);
  const sdk = new NodeSDK({
    // Under what the resource detectors find: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
    resource: resources.defaultResource().merge(resources.resourceFromAttributes({ 'service.name': `agora-${app}` })),
    instrumentations,
    // Metrics and logs: the SDK's default is to export both over OTLP; here only what their variables ask.
    ...(settings.metrics ? {} : { metricReaders: [] }),
    ...(settings.logs ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  // The app is imported once the hook knows every module to wrap.
  await waitForAllMessagesAcknowledged();
  running = sdk;
}

/** Exports the spans still buffered and stops tracing; nothing when it was not started. */
export async function stopTelemetry(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}

async function instrumentationsFor(settings: TelemetrySettings) {
  if (settings.unknownInstrumentations.length > 0) {
    process.stderr.write(
      `OTEL_NODE_ENABLED_INSTRUMENTATIONS or OTEL_NODE_DISABLED_INSTRUMENTATIONS names ${settings.unknownInstrumentations.join(', ')}, ` +
        `which this app does not have (it has ${INSTRUMENTATIONS.join(', ')}): ignored.\n`,
    );
  }
  const [{ HttpInstrumentation }, { PgInstrumentation }, { PinoInstrumentation }, { UndiciInstrumentation }] = await Promise.all([
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-pino'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  const all = {
    // The server span is named by the route's template, which the app gives it (`traceRoute`
    // in @agora/platform): Express's instrumentation wrapped every layer of every request
    // for that, and OpenTelemetry's Nest instrumentation does not support Nest 12.
    http: () => new HttpInstrumentation({ ignoreIncomingRequestHook: isUntraced }),
    // Projections, relays and leases poll the database on timers: a query is traced only
    // inside something traced, never as a trace of its own. Taking a connection from the
    // pool is not a span: it was a third of a checkout's spans, and the query's span
    // already holds its wait.
    pg: () => new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    // Log lines get trace_id, span_id and trace_flags; they go to OpenTelemetry only when OTEL_LOGS_EXPORTER asks.
    pino: () => new PinoInstrumentation({ disableLogSending: !settings.logs }),
    // fetch
    undici: () => new UndiciInstrumentation(),
  } satisfies Record<InstrumentationName, () => unknown>;
  return settings.instrumentations.map((name) => all[name]());
}

/** A request ignored here is not traced, and neither is anything done while answering it. */
function isUntraced(request: IncomingMessage): boolean {
  return request.method === 'GET' && UNTRACED_GETS.has((request.url ?? '').split('?', 1)[0]!);
}
