/**
 * The console reads the shop through its documented REST API, with the admin's bearer
 * token: the same requests in the all-in-one host and behind the distributed mode's entry.
 */

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** `GET /api/orders/{id}`, as the API documents it at /docs. */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly reason: string | null;
  readonly lines: readonly { readonly sku: string; readonly quantity: number; readonly unitPriceCents: number }[];
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `GET /api/orders`: a page, newest first. */
export interface OrderPage {
  readonly items: readonly Order[];
  readonly nextCursor: string | null;
}

/** An answer other than 2xx, with the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The signed-in admin: the token stays in this tab's session storage, never in a URL. */
export interface Session {
  readonly token: string;
  readonly email: string;
}

const SESSION_KEY = 'agora.console.session';

export function savedSession(): Session | undefined {
  const saved = sessionStorage.getItem(SESSION_KEY);
  return saved ? (JSON.parse(saved) as Session) : undefined;
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** The role the token was issued for (its `role` claim); the API checks it on every request, the console only to explain. */
function roleOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return (JSON.parse(json) as { role?: string }).role;
}

/** Signs in with `POST /api/auth/login`; only an admin may use the console. */
export async function signIn(email: string, password: string): Promise<Session> {
  const { accessToken } = await request<{ accessToken: string }>('POST', '/api/auth/login', undefined, { email, password });
  if (roleOf(accessToken) !== 'admin') throw new ApiError(403, 'The console is for admins: this account is not one.');
  const session = { token: accessToken, email };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

export function listOrders(session: Session, options: { readonly status?: OrderStatus; readonly after?: string; readonly first?: number }): Promise<OrderPage> {
  const query = new URLSearchParams({ first: String(options.first ?? 50) });
  if (options.status) query.set('status', options.status);
  if (options.after) query.set('after', options.after);
  return request('GET', `/api/orders?${query}`, session);
}

export function getOrder(session: Session, orderId: string): Promise<Order> {
  return request('GET', `/api/orders/${encodeURIComponent(orderId)}`, session);
}

/** `GET /api/orders/{id}/saga`: the checkout's steps as its read model keeps them. */
export interface Checkout {
  readonly orderId: string;
  readonly status: 'active' | 'completed' | 'stuck';
  readonly currentStep: string;
  readonly reason: string | null;
  readonly deadline: { readonly name: string; readonly dueAt: string } | null;
  readonly steps: readonly { readonly step: string; readonly input: string; readonly at: string }[];
  /** The commands that undo an earlier step, by type (the saga's definition says which). */
  readonly compensations: readonly string[];
}

/** An event as `GET /api/admin/streams/{stream}` and `GET /api/admin/correlations/{id}` show it. */
export interface StoredEvent {
  /** In the distributed mode, of a correlation's events: the app whose store answered it. */
  readonly app?: string;
  readonly streamName: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly occurredAt: string;
  readonly messageId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly userId?: string;
  readonly data: Record<string, unknown>;
}

/** `GET /api/admin/projections`. */
export interface ProjectionStatus {
  /** In the distributed mode: the app that keeps it (the gateway joins the apps' lists). */
  readonly app?: string;
  readonly name: string;
  readonly checkpoint: string | null;
  readonly head: string | null;
  readonly lagEvents: number;
  readonly lagCountLimited: boolean;
  readonly lagMs: number;
  readonly parked: number;
  /** The last rebuild the instance ran of it. */
  readonly rebuild: {
    readonly state: 'running' | 'done' | 'failed';
    readonly startedAt: string;
    readonly finishedAt: string | null;
    readonly events: number;
    readonly fraction: number;
    readonly eventsPerSecond: number;
    readonly etaSeconds: number | null;
    readonly error: string | null;
  } | null;
}

/** `GET /api/admin/parked-events`. */
export interface ParkedEvent {
  /** In the distributed mode: the app whose subscriber parked it. */
  readonly app?: string;
  readonly subscriber: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: string;
  readonly retryRequestedAt: string | null;
  readonly event: StoredEvent;
}

/** `GET /api/admin/metrics`: prom-client's JSON of each metric named. */
export interface Metric {
  readonly name: string;
  readonly type: string;
  readonly values: readonly { readonly labels: Readonly<Record<string, string | number>>; readonly value: number; readonly metricName?: string }[];
}

export function readMetrics(session: Session, names: readonly string[]): Promise<readonly Metric[]> {
  const query = new URLSearchParams(names.map((name) => ['name', name]));
  return request('GET', `/api/admin/metrics?${query}`, session);
}

/** `GET /api/admin/dead-letters` (in the distributed mode the id is `<app>:<id>`). */
export interface DeadLetter {
  readonly app?: string;
  readonly id: string;
  readonly consumer: string;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: string;
  /** The Kafka record it came from, in the distributed mode. */
  readonly source: string | null;
  readonly message: { readonly type: string; readonly key: string; readonly data: unknown; readonly metadata: unknown };
}

export function deadLetters(session: Session): Promise<readonly DeadLetter[]> {
  return request('GET', '/api/admin/dead-letters', session);
}

export function replayDeadLetter(session: Session, id: string): Promise<{ replayed: true }> {
  return request('POST', `/api/admin/dead-letters/${encodeURIComponent(id)}/replay`, session);
}

export function getCheckout(session: Session, orderId: string): Promise<Checkout | undefined> {
  return orUndefinedIfMissing(request('GET', `/api/orders/${encodeURIComponent(orderId)}/saga`, session));
}

/** The events of one stream, oldest first; none when there is no such stream. */
export async function readStream(session: Session, stream: string): Promise<readonly StoredEvent[]> {
  const page = await orUndefinedIfMissing(request<{ events: StoredEvent[] }>('GET', `/api/admin/streams/${encodeURIComponent(stream)}?first=1000`, session));
  return page?.events ?? [];
}

/** `GET /api/admin/correlations/{id}`: every event of one story, whatever its stream; none when no event carries the id. */
export interface Correlation {
  readonly events: readonly StoredEvent[];
  /** The story has more events than these, its first ones. */
  readonly truncated: boolean;
}

export async function readCorrelation(session: Session, correlationId: string): Promise<Correlation> {
  const found = await orUndefinedIfMissing(request<Correlation>('GET', `/api/admin/correlations/${encodeURIComponent(correlationId)}`, session));
  return found ?? { events: [], truncated: false };
}

export function projectionStatuses(session: Session): Promise<readonly ProjectionStatus[]> {
  return request('GET', '/api/admin/projections', session);
}

export function startRebuild(session: Session, projection: string): Promise<ProjectionStatus['rebuild']> {
  return request('POST', `/api/admin/projections/${encodeURIComponent(projection)}/rebuild`, session);
}

export function parkedEvents(session: Session): Promise<readonly ParkedEvent[]> {
  return request('GET', '/api/admin/parked-events', session);
}

export function retryParked(session: Session, subscriber: string): Promise<{ asked: number }> {
  return request('POST', '/api/admin/parked-events/retry', session, { subscriber });
}

async function orUndefinedIfMissing<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

async function request<T>(method: string, path: string, session: Session | undefined, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session) headers['authorization'] = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await response.text();
  // A proxy in front of the API (nginx in the distributed mode) may answer an error in HTML.
  const parsed = parseJson(text);
  if (!response.ok) {
    const message = (parsed as { message?: unknown } | undefined)?.message;
    throw new ApiError(response.status, Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : `${method} ${path} answered ${response.status}`);
  }
  if (parsed === undefined && text) throw new ApiError(response.status, `${method} ${path} answered ${response.status} with something other than JSON`);
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
