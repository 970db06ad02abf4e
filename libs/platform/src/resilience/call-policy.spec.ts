import { describe, expect, it } from '@jest/globals';
import { BrokenCircuitError, CircuitState } from 'cockatiel';
import { callPolicy } from './call-policy.js';

const policy = () => callPolicy({ name: 'a test', target: 'test', timeoutMs: 1000, retries: 2, retryDelayMs: 1, maxRetryDelayMs: 2, breakAfter: 4, halfOpenAfterMs: 60_000, bulkhead: { limit: 4, queue: 4 } });

describe('callPolicy', () => {
  it('asks an idempotent call again after it failed, and one that is not only once', async () => {
    const calls = { idempotent: 0, once: 0 };
    const subject = policy();
    await expect(subject.execute(() => (calls.idempotent++ < 2 ? Promise.reject(new Error('down')) : 'answer'))).resolves.toBe('answer');
    await expect(subject.execute(() => Promise.reject(new Error(`down ${++calls.once}`)), { idempotent: false })).rejects.toThrow('down 1');
    expect(calls).toEqual({ idempotent: 3, once: 1 });
  });

  it('counts the failures of both kinds of call towards one breaker, which then refuses both at once', async () => {
    const subject = policy();
    let called = 0;
    const failing = () => {
      called++;
      return Promise.reject(new Error('down'));
    };
    // Three attempts of a query, then one of a mutation: four in a row.
    await expect(subject.execute(failing)).rejects.toThrow('down');
    expect(subject.state).toBe(CircuitState.Closed);
    await expect(subject.execute(failing, { idempotent: false })).rejects.toThrow('down');
    expect(subject.state).toBe(CircuitState.Open);
    await expect(subject.execute(failing)).rejects.toBeInstanceOf(BrokenCircuitError);
    await expect(subject.execute(failing, { idempotent: false })).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(called).toBe(4);
  });
});
