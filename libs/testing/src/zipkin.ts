/**
 * A span as Zipkin's v2 API returns it. Zipkin lowercases span and service names on
 * receipt, and its queries match them without regard to case.
 */
export interface ZipkinSpan {
  /** Lower-hex, 16 or 32 characters. */
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name: string;
  readonly kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** Microseconds since the epoch. */
  readonly timestamp: number;
  /** Microseconds. */
  readonly duration: number;
  readonly localEndpoint: { readonly serviceName: string };
  readonly tags?: Readonly<Record<string, string>>;
}

export interface ZipkinQuery {
  readonly serviceName?: string;
  readonly spanName?: string;
  /** `http.method=GET and error`: tags (`key=value`) or annotations, joined by `and`. */
  readonly annotationQuery?: string;
  /** How far back from now to look. Zipkin's default: a day. */
  readonly lookbackMs?: number;
  /** At most this many traces. Zipkin's default: 10. */
  readonly limit?: number;
}

/** The traces that match, each as its spans, from the run's Zipkin (`ZIPKIN_URL`). */
export async function zipkinTraces(query: ZipkinQuery = {}): Promise<ZipkinSpan[][]> {
  const params = new URLSearchParams();
  if (query.serviceName !== undefined) params.set('serviceName', query.serviceName);
  if (query.spanName !== undefined) params.set('spanName', query.spanName);
  if (query.annotationQuery !== undefined) params.set('annotationQuery', query.annotationQuery);
  if (query.lookbackMs !== undefined) params.set('lookback', String(query.lookbackMs));
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  return (await zipkinGet(`/api/v2/traces?${params}`)) as ZipkinSpan[][];
}

/**
 * The spans of one trace; none while Zipkin has not received any of it (it answers 404),
 * so that a test can poll until they arrive.
 */
export async function zipkinTrace(traceId: string): Promise<ZipkinSpan[]> {
  return (await zipkinGet(`/api/v2/trace/${encodeURIComponent(traceId)}`, [])) as ZipkinSpan[];
}

/** The run's Zipkin, which the integration tests' global setup provides. */
export function zipkinUrl(): string {
  const url = process.env['ZIPKIN_URL'];
  if (!url) throw new Error('ZIPKIN_URL is not set: the integration and e2e tests start a Zipkin (scripts/zipkin.sh) and set it.');
  return url.replace(/\/+$/, '');
}

/** `whenMissing`, if given, is the answer to a 404. */
async function zipkinGet(path: string, whenMissing?: unknown): Promise<unknown> {
  const response = await fetch(`${zipkinUrl()}${path}`, { signal: AbortSignal.timeout(5000) });
  if (response.status === 404 && whenMissing !== undefined) return whenMissing;
  if (!response.ok) throw new Error(`Zipkin answered ${response.status} to GET ${path}: ${await response.text()}`);
  return response.json();
}
