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
