import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

export { SpanKind };

/**
 * Spans of the project's own work, on OpenTelemetry's API: without an SDK started
 * (`@agora/telemetry`, off unless the OTEL_* variables ask for it) they cost next to
 * nothing and export nothing.
 */
const tracer = trace.getTracer('agora');

/**
 * The W3C `traceparent` of the span at work here, for the metadata of what this work
 * writes (`MessageContext`): whoever handles those messages later continues the trace.
 * `undefined` when nothing is traced.
 */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /**
   * The `traceparent` of the message being handled: the span continues its trace,
   * whatever is at work around it (a batch of other messages). Without it the span is a
   * child of the one at work, if any.
   */
  readonly parent?: string | undefined;
}

/** Runs `work` in a new span, active while it runs, marked failed with the error it throws. */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  const parent = options.parent === undefined ? context.active() : propagation.extract(ROOT_CONTEXT, { traceparent: options.parent });
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes && { attributes: options.attributes }) }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Names the route that took the HTTP request at work: its server span is then named
 * `GET /api/orders/:id` and tagged `http.route`, by the HTTP instrumentation as it ends
 * the span. This is what a framework's instrumentation does; the apps have none (Express's
 * wrapped every layer of every request to learn the template).
 */
export function traceRoute(route: string): void {
  const request = getRPCMetadata(context.active());
  if (request?.type === RPCType.HTTP) request.route = route;
}
