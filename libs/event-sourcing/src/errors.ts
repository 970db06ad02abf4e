import type { ExpectedRevision } from './event-store.js';

/** The stream was not at the revision the writer expected: someone else wrote first. */
export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';

  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision when the append was refused, or `'no-stream'`. */
    readonly actual: number | 'no-stream',
  ) {
    super(`Append to "${streamName}" expected revision ${String(expected)} but the stream is at ${String(actual)}.`);
  }
}

/** The event store cannot be reached. Transient: retry later. */
export class EventStoreUnavailable extends Error {
  override readonly name = 'EventStoreUnavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The event store refused the request for good: sending the same request again cannot
 * succeed. `streamName` is the stream the request was about.
 * - `access-denied`: the store's credentials do not allow it (configuration);
 * - `stream-deleted`: the stream was deleted and takes no more events;
 * - `too-large`: the append is over the store's size limit;
 * - `not-serialisable`: an event's data or metadata is not JSON (e.g. a BigInt), so nothing was sent;
 * - `unknown`: the store answered with an error this adapter does not know.
 */
export class EventStoreRefused extends Error {
  override readonly name = 'EventStoreRefused';

  constructor(
    readonly reason: 'access-denied' | 'stream-deleted' | 'too-large' | 'not-serialisable' | 'unknown',
    readonly streamName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
