import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { GlobalPosition, RecordedEvent } from '@agora/event-sourcing';
import type { ParkedEvent, StoredDeadLetter } from '@agora/messaging';
import type { RebuildState } from './projection-rebuilds.js';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Transform, Type } from 'class-transformer';

/** Most events one read of a stream answers. */
export const MAX_STREAM_PAGE = 1000;

export class ReadStreamQuery {
  @ApiPropertyOptional({ description: 'The first revision to answer (0: the stream’s first event).', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // A revision is a bigint in the store: a number past this one reaches it as something else.
  @Max(Number.MAX_SAFE_INTEGER)
  from?: number;

  @ApiPropertyOptional({ description: 'At most this many events.', minimum: 1, maximum: MAX_STREAM_PAGE, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_STREAM_PAGE)
  first?: number;
}

/** Most metrics one request reads. */
export const MAX_METRICS = 20;

export class ReadMetricsQuery {
  @ApiProperty({ type: [String], description: `The metrics to read, by name (\`?name=a&name=b\`, 1 to ${MAX_METRICS}).`, example: ['agora_saga_started_total'] })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_METRICS)
  @IsString({ each: true })
  @Matches(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/, { each: true, message: 'each name must be a metric name (letters, digits, underscores and colons, not starting with a digit)' })
  name!: string[];
}

export class MetricValueView {
  @ApiProperty({ type: Object, description: 'Its labels.', example: { saga: 'checkout', outcome: 'confirmed', reason: '' } })
  labels!: Record<string, string | number>;

  @ApiProperty({ description: 'The value: a count, a gauge’s level, a histogram bucket’s count or its sum.' })
  value!: number;

  @ApiPropertyOptional({ description: 'For a histogram: which series of it (`…_bucket` with an `le` label, `…_sum`, `…_count`).' })
  metricName?: string;
}

export class MetricView {
  @ApiProperty({ example: 'agora_saga_started_total' })
  name!: string;

  @ApiProperty()
  help!: string;

  @ApiProperty({ enum: ['counter', 'gauge', 'histogram', 'summary'] })
  type!: string;

  @ApiProperty({ type: [MetricValueView] })
  values!: MetricValueView[];
}

export class RetryParkedRequest {
  @ApiPropertyOptional({ description: 'Only the events this subscriber parked; every subscriber’s without it.', example: 'inventory.products' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[\w.:-]+$/, { message: 'subscriber must be a subscriber’s name (letters, digits, dots, colons, dashes)' })
  subscriber?: string;
}

export class EventView {
  @ApiProperty({ example: 'order-0b6f3c1e-4a5d-4e7b-9c1a-2f3e4d5c6b7a' })
  streamName!: string;

  @ApiProperty({ description: 'Zero-based position of the event in its stream.', example: 0 })
  revision!: number;

  @ApiProperty({ description: 'Position in the log: commit and prepare, joined by a dot.', example: '7341.2' })
  position!: string;

  @ApiProperty({ example: 'order.placed.v1' })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When the store recorded it.' })
  recordedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When it happened, as its decider’s clock saw it.' })
  occurredAt!: string;

  @ApiProperty()
  messageId!: string;

  @ApiProperty({ description: 'The request that started the whole story: every message of one checkout shares it.' })
  correlationId!: string;

  @ApiProperty({ description: 'The message (or request) that directly caused this one.' })
  causationId!: string;

  @ApiPropertyOptional()
  userId?: string;

  @ApiProperty({ type: Object, description: 'The payload, as stored (upcast to the newest shape).' })
  data!: Record<string, unknown>;
}

export class StreamView {
  @ApiProperty()
  streamName!: string;

  @ApiProperty({ type: [EventView] })
  events!: EventView[];

  @ApiProperty({ type: Number, nullable: true, description: 'Pass as `from` for the events after these; null when there are none.' })
  nextRevision!: number | null;
}

/** Most events one read of a correlation id answers. */
export const MAX_CORRELATION_EVENTS = 1000;

export class ReadCorrelationQuery {
  @ApiPropertyOptional({ description: 'At most this many events: the story’s first ones.', minimum: 1, maximum: MAX_CORRELATION_EVENTS, default: MAX_CORRELATION_EVENTS })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CORRELATION_EVENTS)
  first?: number;
}

export class CorrelationView {
  @ApiProperty()
  correlationId!: string;

  @ApiProperty({ type: [EventView], description: 'Every event carrying the correlation id, in the order the store recorded them.' })
  events!: EventView[];

  @ApiProperty({ description: 'Whether the story has more events than `first`: these are its first ones.' })
  truncated!: boolean;
}

export class ProjectionRebuildView {
  @ApiProperty({ enum: ['running', 'done', 'failed'] })
  state!: 'running' | 'done' | 'failed';

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt!: string | null;

  @ApiProperty({ description: 'Events applied to the new tables so far.' })
  events!: number;

  @ApiProperty({ description: 'Share of the log read, 0 to 1 (1 once switched).' })
  fraction!: number;

  @ApiProperty()
  eventsPerSecond!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Seconds left at the current rate, when it can be told.' })
  etaSeconds!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why it failed (the live tables serve on).' })
  error!: string | null;
}

export class ProjectionView {
  @ApiProperty({ example: 'order.orders' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The last event it applied (commit.prepare).' })
  checkpoint!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The newest event of the log (commit.prepare); its lag counts only the events of its categories.' })
  head!: string | null;

  @ApiProperty({ description: 'Events not applied yet, counted up to `lagCountLimit`.' })
  lagEvents!: number;

  @ApiProperty({ description: 'Whether there are more events behind than were counted.' })
  lagCountLimited!: boolean;

  @ApiProperty({ description: 'How long the oldest event not applied yet has waited, in ms; 0 when caught up.' })
  lagMs!: number;

  @ApiProperty({ description: 'Events it parked (it could not apply them).' })
  parked!: number;

  @ApiProperty({ type: ProjectionRebuildView, nullable: true, description: 'The last rebuild this instance ran of it, under way or ended; null when none.' })
  rebuild!: ProjectionRebuildView | null;
}

export class ParkedEventView {
  @ApiProperty({ example: 'inventory.products' })
  subscriber!: string;

  @ApiProperty({ description: 'Why it was parked: the last error, or the earlier event of its stream it waits behind.' })
  error!: string;

  @ApiProperty({ description: 'Tries before it was parked, and after each retry that failed; 0 when parked behind an earlier one.' })
  attempts!: number;

  @ApiProperty({ format: 'date-time' })
  parkedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a retry was asked for; the subscriber tries shortly.' })
  retryRequestedAt!: string | null;

  @ApiProperty({ type: EventView })
  event!: EventView;
}

export class DeadLetterMessageView {
  @ApiProperty({ example: 'inventory.product-listed.v1' })
  type!: string;

  @ApiProperty({ description: 'Its partition key.' })
  key!: string;

  @ApiProperty({ type: Object, description: 'Its payload, as it came.' })
  data!: unknown;

  @ApiProperty({ type: Object, description: 'Its metadata (ids, correlation, causation, time, schema version), as it came.' })
  metadata!: unknown;
}

export class DeadLetterView {
  @ApiProperty({ example: '17' })
  id!: string;

  @ApiProperty({ description: 'The consumer that could not take it.', example: 'order.catalog' })
  consumer!: string;

  @ApiProperty({ description: 'Why: what its contract refused, or the consumer’s last error.' })
  error!: string;

  @ApiProperty({ description: 'Tries: 0 for a message its contract refused, one more after each replay that failed.' })
  attempts!: number;

  @ApiProperty({ format: 'date-time' })
  failedAt!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The Kafka record it was copied from (`<topic>.dlq/<partition>/<offset>`), in the distributed mode; null for one set aside in this process.' })
  source!: string | null;

  @ApiProperty({ type: DeadLetterMessageView, description: 'The message as it came (in the distributed mode: its headers as metadata, its value as data).' })
  message!: DeadLetterMessageView;
}

export class ReplayAnswer {
  @ApiProperty({ example: true })
  replayed!: true;
}

export class RetryParkedAnswer {
  @ApiProperty({ description: 'Parked events the subscribers were asked to try again.' })
  asked!: number;
}

export function positionText(position: GlobalPosition): string;
export function positionText(position: GlobalPosition | undefined): string | null;
export function positionText(position: GlobalPosition | undefined): string | null {
  return position ? `${position.commit}.${position.prepare}` : null;
}

export function eventViewOf(event: RecordedEvent): EventView {
  const { metadata } = event;
  return {
    streamName: event.streamName,
    revision: event.revision,
    position: positionText(event.position),
    type: event.type,
    recordedAt: event.recordedAt.toISOString(),
    occurredAt: metadata.occurredAt,
    messageId: metadata.messageId,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    ...(metadata.userId !== undefined && { userId: metadata.userId }),
    data: event.data,
  };
}

export function parkedEventViewOf(parked: ParkedEvent): ParkedEventView {
  return {
    subscriber: parked.subscriber,
    error: parked.error,
    attempts: parked.attempts,
    parkedAt: parked.parkedAt.toISOString(),
    retryRequestedAt: parked.retryRequestedAt?.toISOString() ?? null,
    event: eventViewOf(parked.event),
  };
}

export function deadLetterViewOf(letter: StoredDeadLetter): DeadLetterView {
  const { type, key, data, metadata } = letter.message;
  return {
    id: letter.id,
    consumer: letter.consumer,
    error: letter.error,
    attempts: letter.attempts,
    failedAt: letter.failedAt.toISOString(),
    source: letter.source ?? null,
    message: { type, key, data, metadata },
  };
}

export function rebuildViewOf(state: RebuildState | undefined): ProjectionRebuildView | null {
  if (!state) return null;
  return {
    state: state.state,
    startedAt: state.startedAt.toISOString(),
    finishedAt: state.finishedAt?.toISOString() ?? null,
    events: state.events,
    fraction: state.fraction,
    eventsPerSecond: Math.round(state.eventsPerSecond),
    etaSeconds: state.etaSeconds === undefined ? null : Math.round(state.etaSeconds),
    error: state.error ?? null,
  };
}
