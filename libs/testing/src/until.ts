import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until the condition holds: tests wait for eventually consistent state to
 * converge instead of sleeping a guessed time. Fails after `timeoutMs`.
 */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); !(await condition()); await sleep(10)) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
  }
}
