import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** Least time between two notifications: what a subscriber in another process may wait longer. */
const MIN_INTERVAL_MS = 25;

/** How often a notifier that appends looks whether anyone else listens on its channel. */
const LOOK_INTERVAL_MS = 1000;

/** `@<sender>|<categories>`; a payload without the prefix (an older sender's) is the categories alone. */
const PAYLOAD = /^@([0-9a-f-]{36})\|(.*)$/s;

/**
 * Wakes subscribers in every process when events were appended, through LISTEN/NOTIFY.
 *
 * The NOTIFY is sent after the append committed, in its own statement, and coalesced: at
 * most one is in flight per process, and they go at least `MIN_INTERVAL_MS` apart, so a
 * busy process sends a few dozen a second however many appends it makes. Notifying
 * inside the append transaction would take PostgreSQL's global notify lock across the
 * commit's WAL flush and serialize every append (docs/adr/0002). Notifications only
 * shorten the wait: subscribers also poll.
 * Each notifier signs what it sends and ignores its own notifications: its process woke
 * its subscribers when it appended, and a second wake would only cost another read.
 *
 * Nor does it notify when no one else listens (one process per database, as in both of the
 * shop's modes): a notification costs a round trip and a WAL flush, since PostgreSQL gives
 * its transaction an id. While it appends it looks, once a second, whether another
 * connection on the database last ran our LISTEN (or hides what it ran). A listener that
 * comes in between two looks reads all there is when it starts listening; what is appended
 * after that and before the next look reaches it at its next poll.
 */
export class AppendNotifier {
  private sending = false;
  /** Categories appended to since the last NOTIFY went out. */
  private pending = new Set<string>();
  private listener: pg.Client | undefined;
  /** The server process of our own listening connection, which our looks leave out. */
  private listenerPid: number | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;
  private readonly sender = randomUUID();
  private lastSentAt = -Infinity;
  /** Whether another connection listens, as of the last look; until the first, assumed. */
  private othersListen = true;
  private lastLookAt = -Infinity;
  private looking = false;
  private readonly listenStatement: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    /** Called with the categories that were appended to, or `undefined` when unknown. */
    private readonly onNotification: (categories: readonly string[] | undefined) => void,
  ) {
    this.listenStatement = `LISTEN ${pg.escapeIdentifier(channel)}`;
  }

  /** Called after each committed append. */
  appended(category: string): void {
    this.lookForListeners();
    if (!this.othersListen) return;
    this.pending.add(category);
    if (this.sending) return;
    this.sending = true;
    void this.send();
  }

  /** Starts listening (once); reconnects in the background when the connection drops. */
  listen(): Promise<void> {
    this.listening ??= this.connectListener();
    return this.listening;
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private async send(): Promise<void> {
    try {
      while (this.pending.size > 0 && !this.closed) {
        const wait = this.lastSentAt + MIN_INTERVAL_MS - performance.now();
        if (wait > 0) await sleep(wait);
        this.lastSentAt = performance.now();
        // The payload names the categories, so listeners wake only the subscribers concerned.
        const categories = [...this.pending].join(',');
        this.pending = new Set();
        await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, `@${this.sender}|${categories}`]).catch(() => undefined);
      }
    } finally {
      this.sending = false;
    }
  }

  /** Starts a look at who listens, unless one is under way or the last is recent. */
  private lookForListeners(): void {
    if (this.looking || this.closed || performance.now() - this.lastLookAt < LOOK_INTERVAL_MS) return;
    this.looking = true;
    this.lastLookAt = performance.now();
    this.pool
      .query<{ listening: boolean }>(
        `SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND pid IS DISTINCT FROM $1 AND query IN ($2, '<insufficient privilege>')) AS listening`,
        [this.listenerPid ?? null, this.listenStatement],
      )
      .then(
        ({ rows }) => (this.othersListen = rows[0]!.listening),
        () => (this.othersListen = true), // when in doubt, notify
      )
      .finally(() => (this.looking = false));
  }

  private received(payload: string | undefined): void {
    const signed = payload?.match(PAYLOAD);
    if (signed?.[1] === this.sender) return;
    const categories = signed ? signed[2] : payload;
    this.onNotification(categories ? categories.split(',') : undefined);
  }

  private async connectListener(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const client = new pg.Client(this.pool.options);
      // From the start: without a listener, an error emitted while connecting would crash the process.
      client.on('error', () => {
        if (this.listener !== client) return;
        this.listener = undefined;
        void client.end().catch(() => undefined);
        this.listening = undefined;
        if (!this.closed) void this.listen();
      });
      try {
        await client.connect();
        // Before the LISTEN: what a connection ran last is how others' looks find it listening.
        const [own] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
        await client.query(this.listenStatement);
        this.listenerPid = own!.pid;
        if (this.closed) {
          await client.end();
          return;
        }
        client.on('notification', (message) => this.received(message.payload));
        this.listener = client;
        // What was appended before we listened (at start, or while reconnecting) notified
        // no one here: the subscribers read once more to pick it up.
        this.onNotification(undefined);
        return;
      } catch {
        await client.end().catch(() => undefined);
        await sleep(Math.min(100 * 2 ** attempt, 5000));
      }
    }
  }
}
