import { callPolicy, CORRELATION_ID_HEADER, type CallPolicy, type CallPolicyOptions } from '@agora/platform';
import { addressOf, WeightedRoundRobin, type Discovery, type ServiceInstance } from '@agora/registry';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { BrokenCircuitError, BulkheadRejectedError, CircuitState, TaskCancelledError } from 'cockatiel';
import { GraphQLError, print } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The request headers an app needs from the caller's: who calls, the trace, the client's
 * address as nginx saw it (the apps trust one proxy hop), the language. The correlation id
 * is the gateway's own for the request (the caller's, when it sent a sane one).
 */
const FORWARDED_HEADERS = ['authorization', 'x-request-id', 'traceparent', 'tracestate', 'idempotency-key', 'x-forwarded-for', 'accept-language'] as const;

/** How the gateway calls one app. */
export interface ContextClientOptions {
  /** The app's service name in the registry. */
  readonly service: string;
  readonly policy: Omit<CallPolicyOptions, 'name' | 'target'>;
  /**
   * Whose token the calls carry: the caller's (the app checks who may see what), or a
   * token of the gateway's own (`service`), for an app that cannot tell whose data it
   * holds, reached only through a field of something the caller's token has already
   * been shown (an order's payments).
   */
  readonly credentials: 'caller' | (() => Promise<string>);
}

/** What the gateway's GraphQL context holds: the caller's HTTP request, with its correlation id (`id`). */
export interface GatewayContext {
  readonly req?: { readonly headers: IncomingHttpHeaders; readonly id?: unknown };
}

/** An app that did not answer a REST call: no instance, none in time, or its breaker open. */
export class ServiceUnavailable extends Error {
  override readonly name = 'ServiceUnavailable';
  constructor(
    readonly service: string,
    reason: string,
  ) {
    super(`The ${service} service is unavailable: ${reason}`);
  }
}

/** A field of an app that did not answer: null, with this error naming the app. */
export function serviceUnavailable(service: string, reason: string): GraphQLError {
  return new GraphQLError(`The ${service} service is unavailable: ${reason}`, { extensions: { code: 'SERVICE_UNAVAILABLE', service } });
}

/**
 * The gateway's calls to one app's GraphQL: to its instances in the registry in turn, by
 * weight, each call under the app's resilience policy (`callPolicy`: a timeout per
 * attempt, retries of queries with backoff on the next instance, a circuit breaker, a
 * bulkhead). An app that does not answer, or whose breaker is open, makes the call's
 * fields null with a `SERVICE_UNAVAILABLE` error naming it; an app's own errors (401, 403,
 * validation) pass as it gave them.
 */
export class ContextClient {
  private readonly policy: CallPolicy;
  private readonly balancer = new WeightedRoundRobin();

  constructor(
    private readonly discovery: Discovery,
    private readonly options: ContextClientOptions,
  ) {
    this.policy = callPolicy({ ...options.policy, name: `the ${options.service} app`, target: options.service });
  }

  get service(): string {
    return this.options.service;
  }

  /** The breaker's state, as /health shows it: `closed`, `open` or `half-open`. */
  get breaker(): 'closed' | 'open' | 'half-open' {
    const state = this.policy.state;
    return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  instances(): readonly ServiceInstance[] {
    return this.discovery.instances(this.options.service);
  }

  /** The executor of the app's subschema in the composed schema. */
  readonly executor: Executor = async (request: ExecutionRequest) => {
    const body = JSON.stringify({ query: print(request.document), variables: request.variables, operationName: request.operationName });
    try {
      const headers = await this.headersFor(request.context as GatewayContext | undefined);
      // A mutation may have done its work before its answer was lost: it is not asked twice.
      return await this.policy.execute(({ signal }) => this.post(body, headers, signal), { idempotent: request.operationType !== 'mutation' });
    } catch (error) {
      return { errors: [serviceUnavailable(this.options.service, reasonOf(error))] };
    }
  };

  /**
   * A call to the app's REST API on behalf of the caller whose request `incoming` is (its
   * token, always, trace and ids go along), under the same policy as its GraphQL: a GET may be
   * asked again of the next instance, anything else is sent once. Answers the app's status
   * and JSON body as they are; throws `ServiceUnavailable` when no instance answered.
   */
  async rest<T>(method: string, path: string, incoming: GatewayContext['req'], body?: unknown): Promise<{ status: number; body: T }> {
    const headers = await this.headersFor({ req: incoming }, true);
    try {
      return await this.policy.execute(
        async ({ signal }) => {
          const instance = this.balancer.pick(this.instances());
          if (!instance) throw new Error('no instance is registered');
          const response = await fetch(`http://${addressOf(instance)}${path}`, { method, headers, signal, ...(body !== undefined && { body: JSON.stringify(body) }) });
          // An instance that is going away answers 502/503 through no fault of the call: the next one is asked.
          if (response.status === 502 || response.status === 503) throw new Error(`${instance.id} answered ${response.status}`);
          const text = await response.text();
          return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
        },
        { idempotent: method === 'GET' },
      );
    } catch (error) {
      throw new ServiceUnavailable(this.options.service, reasonOf(error));
    }
  }

  /**
   * The same GET of every instance of the app, at once, each bounded by the policy's
   * timeout, for what each instance keeps of its own (its counters): the answers of those
   * that answered, with their instance's id. Throws `ServiceUnavailable` when none did.
   */
  async restEachInstance<T>(path: string, incoming: GatewayContext['req']): Promise<{ instance: string; status: number; body: T }[]> {
    const headers = await this.headersFor({ req: incoming }, true);
    const answers = await Promise.allSettled(
      this.instances().map(async (instance) => {
        const response = await fetch(`http://${addressOf(instance)}${path}`, { headers, signal: AbortSignal.timeout(this.options.policy.timeoutMs) });
        const text = await response.text();
        return { instance: instance.id, status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
      }),
    );
    const answered = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
    if (answered.length === 0) throw new ServiceUnavailable(this.options.service, answers.length === 0 ? 'no instance is registered' : reasonOf((answers[0] as PromiseRejectedResult).reason));
    return answered;
  }

  private async post(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<ExecutionResult> {
    const instance = this.balancer.pick(this.instances());
    if (!instance) throw new Error('no instance is registered');
    const response = await fetch(`http://${addressOf(instance)}/graphql`, { method: 'POST', headers, body, signal });
    const text = await response.text();
    let result: unknown;
    try {
      result = JSON.parse(text);
    } catch {
      throw new Error(`${instance.id} answered ${response.status} without a GraphQL result`);
    }
    if (typeof result !== 'object' || result === null || !('data' in result || 'errors' in result)) {
      throw new Error(`${instance.id} answered ${response.status} without a GraphQL result`);
    }
    return result as ExecutionResult;
  }

  /** `asCaller`: the caller's token whatever the app's `credentials` (the operations API, which every app checks for an admin). */
  private async headersFor(context: GatewayContext | undefined, asCaller = false): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const incoming = context?.req?.headers ?? {};
    for (const name of FORWARDED_HEADERS) {
      const value = incoming[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (typeof context?.req?.id === 'string') headers[CORRELATION_ID_HEADER] = context.req.id;
    const { credentials } = this.options;
    if (credentials !== 'caller' && !asCaller) headers['authorization'] = `Bearer ${await credentials()}`;
    return headers;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof BrokenCircuitError) return 'its calls failed in a row, and they fail at once for a while (circuit open)';
  if (error instanceof BulkheadRejectedError) return 'too many calls to it are at work';
  if (error instanceof TaskCancelledError) return 'it did not answer in time';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof cause === 'string' ? `${(error as Error).message} (${cause})` : ((error as Error | undefined)?.message ?? String(error));
}
