/** The instrumentations an app has, by the names OpenTelemetry's variables use (the package's name after `@opentelemetry/instrumentation-`). */
export const INSTRUMENTATIONS = ['http', 'pg', 'pino', 'undici'] as const;
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number];

/**
 * What the standard OTEL_* variables ask of this process, read the way
 * `@opentelemetry/sdk-node` reads them. Tracing is off unless they ask for it; metrics and
 * logs are exported only when OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER name an exporter
 * (the SDK's own default for both is `otlp`; the apps serve their metrics to Prometheus).
 * The instrumentations are every one, unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names
 * some; then less those OTEL_NODE_DISABLED_INSTRUMENTATIONS names, as
 * `@opentelemetry/auto-instrumentations-node` reads them.
 */
export interface TelemetrySettings {
  readonly traces: boolean;
  readonly metrics: boolean;
  readonly logs: boolean;
  readonly instrumentations: readonly InstrumentationName[];
  /** Names in those two variables that are not among `INSTRUMENTATIONS`: ignored, and worth a warning. */
  readonly unknownInstrumentations: readonly string[];
}

export function telemetrySettings(env: NodeJS.ProcessEnv): TelemetrySettings {
  const enabled = list(env['OTEL_NODE_ENABLED_INSTRUMENTATIONS']);
  const disabled = list(env['OTEL_NODE_DISABLED_INSTRUMENTATIONS']);
  const chosen = {
    instrumentations: INSTRUMENTATIONS.filter((name) => (enabled.length === 0 || enabled.includes(name)) && !disabled.includes(name)),
    unknownInstrumentations: [...new Set([...enabled, ...disabled])].filter((name) => !(INSTRUMENTATIONS as readonly string[]).includes(name)),
  };
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return { traces: false, metrics: false, logs: false, ...chosen };
  const tracesExporters = list(env['OTEL_TRACES_EXPORTER']);
  // As the SDK: `none` first sets up no trace exporter, whatever follows it.
  const traces =
    tracesExporters.length > 0
      ? tracesExporters[0] !== 'none'
      : Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
  return { traces, metrics: exports(env['OTEL_METRICS_EXPORTER']), logs: exports(env['OTEL_LOGS_EXPORTER']), ...chosen };
}

/** A list variable names an exporter, and not `none` (which the SDK obeys wherever it stands in the list). */
function exports(value: string | undefined): boolean {
  const exporters = list(value);
  return exporters.length > 0 && !exporters.includes('none');
}

/** Comma-separated, as the SDK's `getStringListFromEnv`; `null` entries are ignored like the SDK does for traces. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && entry !== 'null');
}
