import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  CircuitState,
  TaskCancelledError,
  type IDefaultPolicyContext,
} from 'cockatiel';
import { Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, timed } from '../metrics/metrics.js';

export interface CallPolicyOptions {
  /** What is called, for the log: `payment gateway`, `the payment app`. */
  readonly name: string;
  /** What is called, as a metric label: `payment-gateway`, `payment`. */
  readonly target: string;
  /** How long one attempt may take; then it is abandoned and counts as failed. */
  readonly timeoutMs: number;
  /**
   * Attempts after the first, with exponential backoff and jitter. Only for calls that
   * may be repeated: idempotent ones, or ones that carry an idempotency key.
   */
  readonly retries: number;
  /** First pause before a retry; they grow up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Consecutive failed attempts that open the breaker: then calls fail at once... */
  readonly breakAfter: number;
  /** ...until, this long after, one call is let through to try (half-open). */
  readonly halfOpenAfterMs: number;
  /** Calls at work at once, and how many more may wait; beyond those a call fails at once. */
  readonly bulkhead: { readonly limit: number; readonly queue: number };
}

/**
 * One resilience policy for calls to something that may be slow or down, on cockatiel:
 * a bulkhead around retries (exponential backoff with decorrelated jitter) around a
 * circuit breaker around a timeout per attempt. A call that the breaker refuses fails at
 * once (`BrokenCircuitError`) instead of waiting for its timeout; one that the bulkhead
 * refuses fails with `BulkheadRejectedError`; one that timed out with `TaskCancelledError`.
 */
export interface CallPolicy {
  /**
   * Runs `call` under the policy. One that is not `idempotent` (a mutation without an
   * idempotency key) is not asked again after it failed: it counts towards the breaker,
   * under the same bulkhead, but has one attempt.
   */
  execute<T>(call: (context: IDefaultPolicyContext) => PromiseLike<T> | T, options?: { readonly idempotent?: boolean }): Promise<T>;
  /** The breaker's state: `Closed`, `Open`, `HalfOpen` or `Isolated`. */
  readonly state: CircuitState;
}

/** Why a call under a `callPolicy` failed, as a metric label. */
export type CallFailure = 'timeout' | 'circuit_open' | 'bulkhead_full' | 'failed';

export function failureOf(error: unknown): CallFailure {
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof BulkheadRejectedError) return 'bulkhead_full';
  return 'failed';
}

const callDuration = new Histogram({
  name: 'agora_call_duration_seconds',
  help: 'Calls made under a resilience policy, retries included, by target and outcome (ok, timeout, circuit_open, bulkhead_full, failed), and how long each took.',
  labelNames: ['target', 'outcome'],
  buckets: LATENCY_BUCKETS,
});
/** 0 closed, 1 half-open, 2 open, 3 isolated. */
const BREAKER_STATES: Record<CircuitState, number> = { [CircuitState.Closed]: 0, [CircuitState.HalfOpen]: 1, [CircuitState.Open]: 2, [CircuitState.Isolated]: 3 };
const breakerState = new Gauge({
  name: 'agora_circuit_breaker_state',
  help: "The state of a resilience policy's circuit breaker, by target: 0 closed, 1 half-open, 2 open (calls fail at once), 3 isolated.",
  labelNames: ['target'],
});

export function callPolicy(options: CallPolicyOptions): CallPolicy {
  const logger = new Logger('CallPolicy');
  const breaker = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakAfter) });
  breaker.onBreak(() => logger.warn(`Calls to ${options.name} fail fast: ${options.breakAfter} failed in a row; one is let through in ${options.halfOpenAfterMs} ms`));
  breaker.onHalfOpen(() => logger.log(`Trying ${options.name} again (half-open)`));
  breaker.onReset(() => logger.log(`Calls to ${options.name} go through again: it answered`));
  // Not what the breaker or the bulkhead refused: that is to fail fast, not to wait and ask again.
  const retries = retry(handleWhen((error) => !(error instanceof BrokenCircuitError) && !(error instanceof BulkheadRejectedError)), {
    maxAttempts: options.retries,
    backoff: new ExponentialBackoff({ initialDelay: options.retryDelayMs ?? 100, maxDelay: options.maxRetryDelayMs ?? 5000 }),
  });
  const limit = bulkhead(options.bulkhead.limit, options.bulkhead.queue);
  const attempt = timeout(options.timeoutMs, TimeoutStrategy.Aggressive);
  const repeatable = wrap(limit, retries, breaker, attempt);
  const once = wrap(limit, breaker, attempt);
  const target = options.target;
  breakerState.set({ target }, BREAKER_STATES[CircuitState.Closed]);
  breaker.onStateChange((state) => breakerState.set({ target }, BREAKER_STATES[state]));
  return {
    execute: (call, { idempotent = true } = {}) => timed(callDuration, { target }, () => (idempotent ? repeatable : once).execute(call), { ok: 'ok', failed: failureOf }),
    get state() {
      return breaker.state;
    },
  };
}
