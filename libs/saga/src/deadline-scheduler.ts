import { setTimeout as sleep } from 'node:timers/promises';
import { categoryOf, namedQuery, type GlobalPosition, type RecordedEvent } from '@agora/event-sourcing';
import { checkpointUpsert, EventStoreConsumer, PostgresCheckpointStore, PostgresParkedEvents, type LogSource } from '@agora/messaging';
import { Fence, runJoined, type BatchStatement, type StatementRunner } from '@agora/platform';
import pg from 'pg';
import type { SagaDeadline, SagaDefinition, SagaInput } from './saga-definition.js';
import type { SagaRuntime } from './saga-runtime.js';
import { isInputHandled } from './saga-stream.js';

export interface DeadlineSchedulerOptions {
  /** How often due deadlines are looked for. Default 100 ms. */
  readonly pollMs?: number;
  readonly clock?: () => Date;
  readonly onError?: (error: unknown) => void;
  /** The background work's fence: the deadline rows and their checkpoint commit only under it. */
  readonly fence?: Fence;
  /**
   * Where a batch's statement runs beside others handed over at the same time (the read
   * side's, on the same database: the projections follow the same appends). Without it,
   * each batch is a statement of its own on the pool.
   */
  readonly statements?: StatementRunner;
}

/**
 * Durable deadlines. A projection keeps `saga.deadlines` in step with the saga streams
 * (rows and checkpoint in one transaction); a timer delivers each due deadline to its
 * saga as `saga.deadline-reached`. Both live in PostgreSQL, so a deadline that passed
 * while the process was down fires when it comes back; one delivered twice is handled
 * once (its id is the input's message id).
 */
export class DeadlineScheduler {
  private readonly definitions = new Map<string, SagaDefinition<unknown, SagaInput>>();
  private readonly projection: EventStoreConsumer;
  private readonly checkpoints: PostgresCheckpointStore;
  private timer: Promise<void> | undefined;
  private stopped = true;
  private readonly pollMs: number;
  private readonly clock: () => Date;

  constructor(
    private readonly pool: pg.Pool,
    store: LogSource,
    private readonly runtime: SagaRuntime,
    definitions: readonly SagaDefinition<unknown, SagaInput>[],
    private readonly options: DeadlineSchedulerOptions = {},
  ) {
    for (const definition of definitions) this.definitions.set(definition.category, definition);
    this.pollMs = options.pollMs ?? 100;
    this.clock = options.clock ?? (() => new Date());
    this.checkpoints = new PostgresCheckpointStore(pool, options.fence);
    this.projection = new EventStoreConsumer(
      store,
      this.checkpoints,
      {
        name: `deadlines.${[...this.definitions.keys()].join('+')}`,
        categories: [...this.definitions.keys()],
        savesCheckpoint: false,
        parked: new PostgresParkedEvents(pool),
        ...(options.onError && { onError: options.onError }),
      },
      (events, through) => this.apply(events, through),
    );
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.projection.start();
    this.timer = this.fire();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.projection.stop(), this.timer]);
  }

  /** Fires every deadline due now; the timer calls it, tests may too. */
  async fireDue(): Promise<number> {
    const { rows } = await this.pool.query<{ saga_stream: string; deadline_id: string; name: string; correlation_id: string }>(
      'SELECT saga_stream, deadline_id, name, correlation_id FROM saga.deadlines WHERE due_at <= $1 ORDER BY due_at LIMIT 100',
      [this.clock()],
    );
    for (const row of rows) {
      const category = categoryOf(row.saga_stream);
      const definition = this.definitions.get(category);
      if (!definition) continue;
      await this.runtime.handle(
        definition,
        { type: 'saga.deadline-reached', messageId: row.deadline_id, data: { name: row.name } },
        { correlationId: row.correlation_id, causationId: row.deadline_id },
        row.saga_stream.slice(category.length + 1),
      );
      await this.pool.query('DELETE FROM saga.deadlines WHERE saga_stream = $1 AND deadline_id = $2', [row.saga_stream, row.deadline_id]);
    }
    return rows.length;
  }

  private async fire(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.fireDue();
      } catch (error) {
        this.options.onError?.(error);
      }
      await sleep(this.pollMs);
    }
  }

  /**
   * The rows of a batch and its checkpoint in one statement, so one commit and one round
   * trip (no checkpoint for a retry of parked events), which may share its round trip with
   * other subscribers' (`statements`). A saga's last step in the batch decides its row:
   * set, or cleared. Under the background work's fence nothing of it is written once
   * another instance has taken over (`Deposed`).
   */
  private async apply(events: readonly RecordedEvent[], through: GlobalPosition | undefined): Promise<void> {
    const last = new Map<string, { readonly deadline: SagaDeadline | null; readonly correlationId: string }>();
    for (const event of events) {
      if (!isInputHandled(event)) continue;
      last.set(event.streamName, { deadline: event.data.deadline, correlationId: event.metadata.correlationId });
    }
    const set = [...last].filter((entry): entry is [string, { deadline: SagaDeadline; correlationId: string }] => entry[1].deadline !== null);
    const cleared = [...last].filter(([, { deadline }]) => deadline === null).map(([stream]) => stream);
    if (set.length === 0 && cleared.length === 0 && !through) return;
    const statement = this.statement(set, cleared, through);
    if (this.options.statements) return this.options.statements.run(statement);
    const [outcome] = await runJoined([statement], async (text, params) => (await this.pool.query(namedQuery(text, params))).rows[0] as Record<string, unknown>);
    if (outcome!.status === 'rejected') throw outcome!.reason;
  }

  private statement(set: readonly [string, { deadline: SagaDeadline; correlationId: string }][], cleared: readonly string[], through: GlobalPosition | undefined): BatchStatement {
    const fence = this.options.fence;
    return {
      part: (p, first) => {
        const held = fence ? `EXISTS (SELECT FROM ${p}fence)` : 'true';
        const $ = (offset: number) => `$${first + offset}`;
        return {
          ctes: [
            ...(fence ? [`${p}fence AS (${Fence.lock(first + 9)})`] : []),
            `${p}set AS (
               INSERT INTO saga.deadlines (saga_stream, deadline_id, name, due_at, correlation_id)
               SELECT * FROM unnest(${$(0)}::text[], ${$(1)}::text[], ${$(2)}::text[], ${$(3)}::timestamptz[], ${$(4)}::text[]) WHERE ${held}
               ON CONFLICT (saga_stream) DO UPDATE SET deadline_id = excluded.deadline_id, name = excluded.name, due_at = excluded.due_at, correlation_id = excluded.correlation_id)`,
            `${p}cleared AS (DELETE FROM saga.deadlines WHERE saga_stream = ANY(${$(5)}::text[]) AND ${held})`,
            `${p}saved AS (${checkpointUpsert(first + 6, held)})`,
          ],
          params: [
            set.map(([stream]) => stream),
            set.map(([, { deadline }]) => deadline.id),
            set.map(([, { deadline }]) => deadline.name),
            set.map(([, { deadline }]) => deadline.dueAt),
            set.map(([, { correlationId }]) => correlationId),
            cleared,
            through ? this.projection.name : null,
            through?.commit ?? null,
            through?.prepare ?? null,
            ...(fence ? fence.params() : []),
          ],
          columns: [`${held} AS ${p}held`],
          settle: (outcome) => {
            if ('error' in outcome) throw outcome.error;
            if (!outcome.row[`${p}held`]) fence!.refused();
          },
        };
      },
    };
  }
}
