import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';

// kafkajs 2.2.4 as patched at install (patches/kafkajs+2.2.4.patch, applied by patch-package).
const require = createRequire(import.meta.url);
type Queue = { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: unknown; checkPendingRequests(): void; destroy(): void };
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the kafkajs request queue, as patched at install', () => {
  it('schedules no check while nothing waits and nothing throttles (unpatched: one every millisecond, for ever, per connection)', () => {
    const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'test', broker: 'none', logger: quiet });
    try {
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).toBeNull();
    } finally {
      queue.destroy();
    }
  });

  it('still checks again later while the broker throttles', () => {
    const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'test', broker: 'none', logger: quiet });
    try {
      queue.throttledUntil = Date.now() + 60_000;
      queue.checkPendingRequests();
      expect(queue.throttleCheckTimeoutId).not.toBeNull();
    } finally {
      queue.destroy();
    }
  });
});
