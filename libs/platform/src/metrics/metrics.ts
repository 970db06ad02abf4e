import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';
import { traceRoute } from '../tracing/spans.js';

/**
 * Metrics live in prom-client's default registry, one per process: each library declares
 * the ones it keeps beside the code it measures (`agora_` names, base units, labels of a
 * few values only, never an order or a customer), and `/metrics` serves them all.
 */
export const METRICS_PATH = 'metrics';

/** Seconds, for work that takes milliseconds: an append, a request, a broker's answer. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** How many events or messages a batch held. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/**
 * prom-client's gauges named as counters (`promtool check metrics` refuses them): each is
 * the sum of the same gauge by `type`, which stays.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Node's own metrics (`process_*`, `nodejs_*`: CPU, memory, event loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics();
  for (const name of MISNAMED_DEFAULTS) register.removeSingleMetric(name);
}

/**
 * Serves `GET /metrics` on the app's own port, in Prometheus's text format, without a
 * token (Prometheus scrapes it there; the public entry does not route it), and times
 * every request of the app (`measureHttpRequests`). Mounted before the app's other
 * middleware, it answers before the request log: Prometheus reads it every few seconds,
 * and a line each time would drown the rest.
 */
export function serveMetrics(app: { use(handler: unknown): unknown; getHttpAdapter(): { get(path: string, handler: unknown): unknown } }): void {
  collectProcessMetrics();
  app.use(measureHttpRequests());
  app.getHttpAdapter().get(`/${METRICS_PATH}`, (_request: IncomingMessage, response: ServerResponse) => {
    register.metrics().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': register.contentType, 'Cache-Control': 'no-store' });
        response.end(text);
      },
      (error: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end(`The metrics could not be collected: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  });
}

const httpRequestDuration = new Histogram({
  name: 'agora_http_request_duration_seconds',
  help: 'HTTP requests served, by method, route template and status code, and how long they took.',
  labelNames: ['method', 'route', 'status_code'],
  buckets: LATENCY_BUCKETS,
});

/** The label of a request that no route took (an unknown path, a refused body, a static file). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request from its first byte to the end of its answer, labelled with the
 * route's template (`/api/orders/:id`), never the path itself: paths hold ids. The
 * request's trace gets the same template (`traceRoute`).
 */
export function measureHttpRequests() {
  return (request: IncomingMessage & { baseUrl?: string; route?: { path?: unknown } }, response: ServerResponse, next: () => void): void => {
    const started = performance.now();
    response.once('finish', () => {
      const route = typeof request.route?.path === 'string' ? `${request.baseUrl ?? ''}${request.route.path}` : UNMATCHED_ROUTE;
      if (route !== UNMATCHED_ROUTE) traceRoute(route);
      httpRequestDuration.observe({ method: request.method ?? 'GET', route, status_code: String(response.statusCode) }, (performance.now() - started) / 1000);
    });
    next();
  };
}

/**
 * Runs `work` and observes how long it took in `histogram` (which has an `outcome`
 * label), with the outcome its result or its error gives.
 */
export async function timed<T>(
  histogram: Histogram,
  labels: Record<string, string>,
  work: () => Promise<T>,
  outcome: { readonly ok: string | ((value: T) => string); readonly failed: string | ((error: unknown) => string) },
): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    const value = await work();
    end({ outcome: typeof outcome.ok === 'string' ? outcome.ok : outcome.ok(value) });
    return value;
  } catch (error) {
    end({ outcome: typeof outcome.failed === 'string' ? outcome.failed : outcome.failed(error) });
    throw error;
  }
}
