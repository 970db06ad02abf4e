import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Decider, SnapshotPolicy } from './decider.js';
import type { Event, GlobalPosition, NewEvent } from './event.js';
import type { AppendResult, EventStore, StreamAppend } from './event-store.js';
import { EventStoreUnavailable, WrongExpectedVersion } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';
import { withMetadata, type MessageContext } from './message-context.js';
import type { SnapshotStore } from './snapshots/snapshot-store.js';

export interface CommandHandlerOptions {
  /** How often to load, decide and append when other writers keep winning. Default 5. */
  readonly maxAttempts?: number;
  /**
   * How often to send the same append again while the store is unavailable, after 100 ms,
   * then 200 ms, and so on. Default 2.
   */
  readonly unavailableRetries?: number;
  readonly clock?: () => Date;
  /**
   * Streams whose state is remembered between commands, most recently used first, so a
   * command on a known stream appends without reading it first. 0 turns it off.
   * Default 10,000.
   */
  readonly cachedStreams?: number;
  /**
   * Where the snapshots of deciders with a `snapshots` policy are kept. A stream this
   * process does not remember is then loaded from its latest snapshot plus the events
   * after it. Without a store, streams are folded from the start.
   */
  readonly snapshots?: SnapshotStore;
  /** Where a failed snapshot read or write is reported; it never fails a command. Default `console.error`. */
  readonly onSnapshotFailure?: (message: string, error: unknown) => void;
}

/** A stream's state as of a revision. */
export interface Known<State> {
  readonly state: State;
  readonly revision: number | undefined;
}

interface Remembered {
  readonly decider: object;
  readonly known: Known<unknown>;
}

export interface HandleOptions {
  /**
   * The stream most likely does not exist yet (a new order's, a saga's first input): when
   * its state is not remembered, decide on the initial state and append with `'no-stream'`
   * without reading first. A stream that exists after all costs one refused append, then
   * it is read as usual; a decision that appends nothing is never trusted unread.
   */
  readonly expectNew?: boolean;
}

export interface CommandResult<E extends Event, State> {
  /** What this command appended; empty when the decider found nothing to do. */
  readonly events: readonly NewEvent<E>[];
  /** The stream's state after the command. */
  readonly state: State;
  /** The stream's revision after the command; `undefined` while the stream does not exist. */
  readonly revision: number | undefined;
  readonly position: GlobalPosition | undefined;
}

/** One stream of a decision taken on several streams at once (`CommandHandler.handleTogether`). */
export interface StreamPart<E extends Event = Event, State = unknown> {
  readonly decider: Decider<never, E, State>;
  readonly streamName: string;
  /** As `HandleOptions.expectNew`, for this stream. */
  readonly expectNew?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPart = StreamPart<any, any>;
type StateOf<P> = P extends StreamPart<Event, infer State> ? State : never;
type EventOf<P> = P extends { readonly decider: Decider<never, infer E, unknown> } ? E : never;
/** The state of each part's stream, in the parts' order. */
export type StatesOf<P extends readonly AnyPart[]> = { readonly [K in keyof P]: StateOf<P[K]> };
/** The events decided for each part's stream, in the parts' order (`[]` for none). */
export type DecisionsOf<P extends readonly AnyPart[]> = { readonly [K in keyof P]: readonly EventOf<P[K]>[] };
/** What became of each part's stream, in the parts' order. */
export type ResultsOf<P extends readonly AnyPart[]> = { readonly [K in keyof P]: CommandResult<EventOf<P[K]>, StateOf<P[K]>> };

/**
 * Load → decide → append with the expected revision. A conflicting writer means our
 * decision was made on stale state: read what it appended, decide again, a bounded number
 * of times, then give up with `WrongExpectedVersion` (the API answers 409).
 *
 * Commands on one stream take turns within the process: each decides on the state the
 * one before it left, so writers in the same process never conflict, and only another
 * process's append can make a command decide again. On a hot stream (a product many
 * orders reserve at once) concurrent commands would otherwise lose to each other, read,
 * back off and lose again, for as long as the stream stays hot.
 *
 * The state of recently used streams is remembered, so the usual command costs one
 * append and no read. A remembered state may be stale (another process wrote since); the
 * append's expected revision catches that, and an outcome that appends nothing (a refusal
 * or "already done") is only trusted after reading whatever came after the remembered
 * revision. States must therefore be immutable, as deciders make them.
 *
 * A decider with a snapshot policy is loaded from its stream's latest snapshot (when its
 * version is the policy's) and the events after it. Once a stream has grown `every`
 * events past its last snapshot, a new one is written off the command's path: after the
 * command has its answer, never inside its append, and a failure is only reported.
 * Snapshots are a cache (docs/adr/0011): without them, the same state is folded from the
 * start.
 */
export class CommandHandler {
  private readonly maxAttempts: number;
  private readonly unavailableRetries: number;
  private readonly clock: () => Date;
  private readonly remembered: LRUCache<string, Remembered> | undefined;
  private readonly snapshots: SnapshotStore | undefined;
  private readonly onSnapshotFailure: (message: string, error: unknown) => void;
  /** Revision of each stream's latest snapshot as far as this process knows, or is writing. */
  private readonly snapshotRevisions: LRUCache<string, number>;
  private readonly snapshotWrites = new Set<Promise<void>>();
  /** Commands on one stream, one at a time. */
  private readonly turns = new KeyedQueue();

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.unavailableRetries = options.unavailableRetries ?? 2;
    this.clock = options.clock ?? (() => new Date());
    const size = options.cachedStreams ?? 10_000;
    this.remembered = size > 0 ? new LRUCache({ max: size }) : undefined;
    this.snapshots = options.snapshots;
    this.onSnapshotFailure = options.onSnapshotFailure ?? ((message, error) => console.error(message, error));
    this.snapshotRevisions = new LRUCache({ max: Math.max(size, 1_000) });
  }

  /** Settles once the snapshot writes started so far have ended (written or reported). */
  async snapshotsWritten(): Promise<void> {
    await Promise.all([...this.snapshotWrites]);
  }

  handle<Command, E extends Event, State>(
    decider: Decider<Command, E, State>,
    streamName: string,
    command: Command,
    context: MessageContext,
    options: HandleOptions = {},
  ): Promise<CommandResult<E, State>> {
    // A decision on one stream: the same load, decide and append as one on several.
    return this.turns.run(streamName, async () => {
      const [result] = await this.decideTogether([{ decider, streamName, expectNew: options.expectNew }], ([state]) => [decider.decide(command, state)], context);
      return result;
    });
  }

  /**
   * One decision on several streams: `decide` gets each stream's state and answers each
   * stream's events, and they are appended in one commit where the store can
   * (`appendToStreams`, PostgreSQL): all or none. Elsewhere (EventStoreDB) they are
   * appended stream by stream, in the parts' order, so put first the stream whose events
   * may stand alone should a later append fail. The rules of `handle` hold for every
   * stream: the command takes turns with the other commands on each of them, a conflict
   * on any reads all of them and decides again, and a refusal (`decide` throws) or a
   * stream left without events is only trusted on states read just now. An event decided
   * as an `IdentifiedEvent` is appended with the message id it names, so that another
   * event of the same decision can refer to it.
   */
  handleTogether<P extends readonly AnyPart[]>(
    parts: readonly [...P],
    decide: (states: StatesOf<P>) => DecisionsOf<P>,
    context: MessageContext,
  ): Promise<ResultsOf<P>> {
    const names = parts.map((part) => part.streamName);
    if (new Set(names).size !== names.length) throw new RangeError(`handleTogether takes each stream once: ${names.join(', ')}.`);
    return this.turns.run(names, () => this.decideTogether(parts, decide, context));
  }

  private async decideTogether<P extends readonly AnyPart[]>(
    parts: readonly [...P],
    decide: (states: StatesOf<P>) => DecisionsOf<P>,
    context: MessageContext,
  ): Promise<ResultsOf<P>> {
    type Part = StreamPart<Event, unknown>;
    const all = parts as readonly Part[];
    let fresh = all.map((part) => this.recall(part.decider, part.streamName) === undefined && !part.expectNew);
    let known = await Promise.all(
      all.map(async (part) => {
        const remembered = this.recall<unknown>(part.decider, part.streamName);
        if (remembered) return remembered;
        if (part.expectNew) return { state: part.decider.initialState(), revision: undefined };
        return this.catchUp(part.decider, part.streamName, await this.restore(part.decider, part.streamName));
      }),
    );
    /** Reads what the streams not read just now (or, after a conflict, all of them) have since. */
    const readAgain = async (which: 'stale' | 'all') => {
      known = await Promise.all(all.map((part, i) => (which === 'all' || !fresh[i] ? this.catchUp(part.decider, part.streamName, known[i]!) : known[i]!)));
      fresh = all.map(() => true);
    };
    for (let conflicts = 0; ; ) {
      let decided: readonly (readonly Event[])[];
      try {
        decided = decide(known.map((k) => k.state) as unknown as StatesOf<P>) as readonly (readonly Event[])[];
      } catch (error) {
        if (fresh.every(Boolean)) throw error;
        await readAgain('stale');
        continue;
      }
      if (decided.some((events, i) => events.length === 0 && !fresh[i])) {
        await readAgain('stale');
        continue;
      }

      const occurredAt = this.clock();
      const events = decided.map((stream) => stream.map((event) => withMetadata(event, context, occurredAt)));
      const writing = all.flatMap((part, i) => (events[i]!.length > 0 ? [i] : []));
      try {
        const appended = await this.appendTogether(writing.map((i) => ({ streamName: all[i]!.streamName, events: events[i]!, expected: known[i]!.revision ?? 'no-stream' })));
        return all.map((part, i) => {
          const result = appended[writing.indexOf(i)];
          if (!result) return { events: [], state: known[i]!.state, revision: known[i]!.revision, position: undefined };
          const state = decided[i]!.reduce(part.decider.evolve, known[i]!.state);
          this.remember(part.decider, part.streamName, { state, revision: result.nextExpectedRevision });
          return { events: events[i]!, state, revision: result.nextExpectedRevision, position: result.position };
        }) as unknown as ResultsOf<P>;
      } catch (error) {
        // Stream by stream, some may have been written: none is remembered, all are read again.
        for (const part of all) this.remembered?.delete(part.streamName);
        if (!(error instanceof WrongExpectedVersion) || ++conflicts >= this.maxAttempts) throw error;
        await sleep(Math.random() * Math.min(2 ** conflicts, 50));
        await readAgain('all');
      }
    }
  }

  /** The appends of one decision: in one commit where the store can, else one after another. Nothing to append: nothing sent. */
  private async appendTogether(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const store = this.store;
    if (appends.length <= 1 || !store.appendToStreams) {
      const results: AppendResult[] = [];
      for (const { streamName, events, expected } of appends) results.push(await this.whileUnavailable(() => store.appendToStream(streamName, events, expected)));
      return results;
    }
    return this.whileUnavailable(() => store.appendToStreams!(appends));
  }

  /**
   * Sends the very same append again while the store is unavailable. A failed try's
   * outcome is unknown (a timeout may come after the commit); the events keep their ids
   * (made once per decision, by `withMetadata`), and both stores answer a repeat of an
   * append they wrote as that earlier success, so nothing is written twice. A new
   * decision after a conflict makes new events with new ids, except those whose id the
   * decision names (`IdentifiedEvent`): the appends that conflicted wrote none of them.
   */
  private async whileUnavailable<T>(send: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof EventStoreUnavailable) || retry >= this.unavailableRetries) throw error;
        await sleep(100 * 2 ** retry);
      }
    }
  }

  /**
   * A stream's state without a command: from memory when it is known at least up to
   * revision `atLeast` (one the caller has seen, e.g. of the event it reacts to), else
   * read from the store.
   */
  async load<E extends Event, State>(decider: Decider<never, E, State>, streamName: string, atLeast?: number): Promise<Known<State>> {
    const known = this.recall<State>(decider, streamName);
    if (known && atLeast !== undefined && known.revision !== undefined && known.revision >= atLeast) return known;
    return this.catchUp(decider, streamName, known ?? (await this.restore(decider, streamName)));
  }

  /** Whether `handleTogether` writes its streams in one commit (PostgreSQL), not stream by stream. */
  get appendsAtomically(): boolean {
    return this.store.appendToStreams !== undefined;
  }

  /**
   * A stream's state as this process remembers it, without reading: it may be behind the
   * store (another process may have appended since). Good for what cannot change back,
   * such as a state no event leaves.
   */
  recalled<E extends Event, State>(decider: Decider<never, E, State>, streamName: string): Known<State> | undefined {
    return this.recall<State>(decider, streamName);
  }

  /** Where a stream this process does not remember starts: its latest usable snapshot, else the initial state. */
  private async restore<E extends Event, State>(decider: Decider<never, E, State>, streamName: string): Promise<Known<State>> {
    const initial = { state: decider.initialState(), revision: undefined };
    const policy = decider.snapshots;
    if (!policy || !this.snapshots) return initial;
    try {
      const snapshot = await this.snapshots.load(streamName);
      // Another shape of state (an older version of the decider): fold from the start.
      if (!snapshot || snapshot.version !== policy.version) return initial;
      const restored = { state: policy.fromJSON(snapshot.state), revision: snapshot.revision };
      this.snapshotRevisions.set(streamName, snapshot.revision);
      return restored;
    } catch (error) {
      this.onSnapshotFailure(`Reading the snapshot of ${streamName} failed; folding the stream from the start.`, error);
      return initial;
    }
  }

  /** Writes a snapshot of `known` after the current command, when the stream has grown enough since the last one. */
  private considerSnapshot(decider: { readonly snapshots?: SnapshotPolicy<unknown> }, streamName: string, known: Known<unknown>): void {
    const policy = decider.snapshots;
    const { revision, state } = known;
    if (!policy || !this.snapshots || revision === undefined) return;
    if (revision - (this.snapshotRevisions.get(streamName) ?? -1) < policy.every) return;
    // Claimed now, so that the commands that follow do not write it again; after a
    // failure, the next attempt comes `every` events later.
    this.snapshotRevisions.set(streamName, revision);
    const store = this.snapshots;
    const write = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => store.save({ streamName, revision, version: policy.version, state: policy.toJSON(state) }))
      .catch((error: unknown) => this.onSnapshotFailure(`Writing a snapshot of ${streamName} at revision ${revision} failed.`, error))
      .finally(() => this.snapshotWrites.delete(write));
    this.snapshotWrites.add(write);
  }

  /** `known` brought up to date with the events appended after its revision. */
  private async catchUp<E extends Event, State>(decider: Decider<never, E, State>, streamName: string, known: Known<State>): Promise<Known<State>> {
    const newer = await this.store.readStream<E>(streamName, { fromRevision: (known.revision ?? -1) + 1 });
    if (newer.length === 0) {
      // Restored from a snapshot and nothing since: remembered like any state read.
      if (known.revision !== undefined && !this.recall(decider, streamName)) this.remember(decider, streamName, known);
      return known;
    }
    const caughtUp = { state: newer.reduce(decider.evolve, known.state), revision: newer[newer.length - 1]!.revision };
    this.remember(decider, streamName, caughtUp);
    return caughtUp;
  }

  private recall<State>(decider: object, streamName: string): Known<State> | undefined {
    const remembered = this.remembered?.get(streamName);
    return remembered?.decider === decider ? (remembered.known as Known<State>) : undefined;
  }

  private remember(decider: { readonly snapshots?: SnapshotPolicy<unknown> }, streamName: string, known: Known<unknown>): void {
    this.remembered?.set(streamName, { decider, known });
    this.considerSnapshot(decider, streamName, known);
  }
}
