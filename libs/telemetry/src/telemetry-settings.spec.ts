import { describe, expect, it } from '@jest/globals';
import { telemetrySettings } from './telemetry-settings.js';

describe('telemetrySettings: what the OTEL_* variables ask for', () => {
  it.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'agora-order', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_TRACES_EXPORTER: ' none , otlp' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'false' }, true],
  ])('traces with %j: %s', (env, traces) => {
    expect(telemetrySettings(env).traces).toBe(traces);
  });

  it('exports no metrics and no logs unless their variables name an exporter', () => {
    const signals = ({ traces, metrics, logs }: ReturnType<typeof telemetrySettings>) => ({ traces, metrics, logs });
    expect(signals(telemetrySettings({ OTEL_TRACES_EXPORTER: 'otlp' }))).toEqual({ traces: true, metrics: false, logs: false });
    expect(signals(telemetrySettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'otlp,none' }))).toEqual({ traces: true, metrics: false, logs: false });
    expect(signals(telemetrySettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'console' }))).toEqual({ traces: true, metrics: true, logs: true });
  });

  it.each([
    [{}, ['http', 'pg', 'pino', 'undici'], []],
    [{ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http' }, ['pg', 'pino', 'undici'], []],
    [{ OTEL_NODE_ENABLED_INSTRUMENTATIONS: ' pg , http' }, ['http', 'pg'], []],
    // Disabled wins over enabled.
    [{ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg' }, ['http'], []],
    // Names of instrumentations the apps do not have are reported, once each, and change nothing else.
    [{ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'fs,dns,fs' }, ['http', 'pg', 'pino', 'undici'], ['fs', 'dns']],
    [{ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'express,http' }, ['http'], ['express']],
    [{ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'express' }, [], ['express']],
  ])('instrumentations with %j: %j', (env, instrumentations, unknownInstrumentations) => {
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'otlp', ...env })).toMatchObject({ instrumentations, unknownInstrumentations });
  });
});
