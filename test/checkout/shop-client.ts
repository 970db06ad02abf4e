import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  reason?: string | null;
  totalCents: number;
  currency: string;
}

export interface ProductView {
  sku: string;
  available: number;
  reserved: number;
  sold?: number;
}

export interface PaymentsView {
  orderId: string;
  charges: { chargeId?: string; amountCents: number; status: string }[];
  refunds: { chargeId?: string; amountCents: number; status: string }[];
}

export type Caller = 'customer' | 'admin' | 'anonymous';

export interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The seeded administrator of a host started with the default configuration. */
export const ADMIN = { email: 'admin@agora.local', password: 'agora-admin' };

/** The shop's REST API as a customer and an operator use it, each with their own token. */
export class ShopClient {
  private readonly tokens = new Map<Caller, string>();

  /** `baseUrl`: the host's; or, for the distributed apps, which one serves a path. */
  private constructor(private readonly baseUrl: string | ((path: string) => string)) {}

  /** Logs in as the seeded admin, and as a customer it registers for the purpose. */
  static async signIn(baseUrl: string | ((path: string) => string)): Promise<ShopClient> {
    const client = new ShopClient(baseUrl);
    client.tokens.set('admin', await client.login(ADMIN.email, ADMIN.password));
    const email = `customer-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await client.request('POST', '/api/users', { email, name: 'Test customer', password: 'customer-password' }, {}, 'anonymous');
    if (registered.status !== 201) throw new Error(`registering a customer answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    client.tokens.set('customer', await client.login(email, 'customer-password'));
    return client;
  }

  /** The same callers, signed in already, against another base URL: e.g. one app of the distributed mode. */
  at(baseUrl: string): ShopClient {
    const client = new ShopClient(baseUrl);
    for (const [as, token] of this.tokens) client.tokens.set(as, token);
    return client;
  }

  /** The bearer token the client sends as `as`, for a request it does not make itself (a stream of server-sent events). */
  tokenOf(as: Exclude<Caller, 'anonymous'>): string {
    return this.tokens.get(as)!;
  }

  async graphql<T>(query: string, variables: Record<string, unknown> = {}, as: Caller = 'customer'): Promise<GraphqlAnswer<T>> {
    return (await this.request<GraphqlAnswer<T>>('POST', '/graphql', { query, variables }, {}, as)).body;
  }

  async login(email: string, password: string): Promise<string> {
    const { status, body } = await this.request<{ accessToken: string }>('POST', '/api/auth/login', { email, password }, {}, 'anonymous');
    if (status !== 200) throw new Error(`logging in as ${email} answered ${status}: ${JSON.stringify(body)}`);
    return body.accessToken;
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as: Caller = 'customer'): Promise<{ status: number; body: T }> {
    const { status, body: answer } = await this.exchange<T>(method, path, body, headers, as);
    return { status, body: answer };
  }

  /** `request`, with the response's headers too. */
  async exchange<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    as: Caller = 'customer',
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const token = this.tokens.get(as);
    const base = typeof this.baseUrl === 'string' ? this.baseUrl : this.baseUrl(path);
    const send = () =>
      fetch(`${base}${path}`, {
        method,
        headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }), ...headers },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      // The public entry's nginx reloads whenever instances come and go, and its old workers
      // close their idle keep-alive connections: a request sent on one at that moment fails
      // unanswered. A browser sends such a request again when that is safe; so does this
      // client, once.
      if (!closedUnanswered(error) || !safeToRepeat(method, body, headers)) throw error;
      response = await send();
    }
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  }

  /** A product with a fresh sku, so that tests sharing a host never share stock. */
  async addProduct(initialStock: number, priceCents = 1250): Promise<string> {
    const sku = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;
    const { status, body } = await this.request('POST', '/api/products', { sku, name: `Product ${sku}`, priceCents, currency: 'EUR', initialStock }, {}, 'admin');
    if (status !== 201) throw new Error(`adding ${sku} answered ${status}: ${JSON.stringify(body)}`);
    return sku;
  }

  /**
   * Places an order. The order context prices lines from its copy of inventory's catalog,
   * which follows inventory a moment behind: a product added just now may still be
   * unknown there, so a client retries that one answer briefly.
   */
  async placeOrder(lines: { sku: string; quantity: number }[], paymentToken = 'tok_visa', idempotencyKey?: string): Promise<string> {
    for (const started = Date.now(); ; await sleep(20)) {
      const { status, body } = await this.request<{ orderId: string; message?: unknown }>(
        'POST',
        '/api/orders',
        { lines, paymentToken },
        idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
      );
      if (status === 202) return body.orderId;
      const catalogBehind = status === 400 && /is not a product in the catalog/.test(JSON.stringify(body.message));
      if (!catalogBehind || Date.now() - started > 5_000) throw new Error(`placing an order answered ${status}: ${JSON.stringify(body)}`);
    }
  }

  async order(orderId: string): Promise<OrderView> {
    return (await this.request<OrderView>('GET', `/api/orders/${orderId}`)).body;
  }

  async product(sku: string): Promise<ProductView> {
    return (await this.request<ProductView>('GET', `/api/products/${sku}`)).body;
  }

  async payments(orderId: string): Promise<PaymentsView> {
    return (await this.request<PaymentsView>('GET', `/api/payments?orderId=${orderId}`, undefined, {}, 'admin')).body;
  }

  /** Polls until the order leaves PENDING: integration tests converge, they do not sleep. */
  async settled(orderId: string, timeoutMs = 20_000): Promise<OrderView> {
    for (const started = Date.now(); ; await sleep(25)) {
      const order = await this.order(orderId);
      if (order.status && order.status !== 'PENDING') return order;
      if (Date.now() - started > timeoutMs) throw new Error(`order ${orderId} still ${order.status} after ${timeoutMs} ms`);
    }
  }

  /** Polls until `read` gives a value with the fields of `expected` (as `toMatchObject` compares), and returns it. */
  async eventually<T>(read: () => Promise<T>, expected: Partial<T>, timeoutMs = 20_000): Promise<T> {
    const matches = (value: T) => Object.entries(expected).every(([field, want]) => JSON.stringify((value as Record<string, unknown>)[field]) === JSON.stringify(want));
    return this.until(read, matches, timeoutMs);
  }

  async until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    for (const started = Date.now(); ; await sleep(25)) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() - started > timeoutMs) throw new Error(`not converged after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    }
  }
}

/** fetch failed because the server closed the connection before it answered (undici's `other side closed`). */
function closedUnanswered(error: unknown): boolean {
  return (error as { cause?: { code?: unknown } }).cause?.code === 'UND_ERR_SOCKET';
}

/** A read, a GraphQL query, or a request with an `Idempotency-Key`: sending it twice changes nothing more than once. */
function safeToRepeat(method: string, body: unknown, headers: Record<string, string>): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key')) return true;
  const query = (body as { query?: unknown } | undefined)?.query;
  return typeof query === 'string' && !/^\s*mutation\b/.test(query);
}
