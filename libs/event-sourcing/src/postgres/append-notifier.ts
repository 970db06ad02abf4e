import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** Least time between two notifications: what a subscriber in another process may wait longer. */
const MIN_INTERVAL_MS = 25;

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
 */
export class AppendNotifier {
  private sending = false;
  /** Categories appended to since the last NOTIFY went out. */
  private pending = new Set<string>();
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;
  private readonly sender = randomUUID();
  private lastSentAt = -Infinity;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    /** Called with the categories that were appended to, or `undefined` when unknown. */
    private readonly onNotification: (categories: readonly string[] | undefined) => void,
  ) {}

  /** Called after each committed append. */
  appended(category: string): void {
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
        await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
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
