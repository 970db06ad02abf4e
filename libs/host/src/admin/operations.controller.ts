import { BadRequestException, Body, Get, HttpCode, HttpStatus, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { PostgresParkedEvents } from '@agora/messaging';
import { CORRELATION_ID_PATTERN, PG_POOL } from '@agora/platform';
import { PROJECTIONS, type Projections } from '@agora/projections';
import type pg from 'pg';
import { register } from 'prom-client';
import { LAG_COUNT_LIMIT } from '../health.controller.js';
import {
  CorrelationView,
  eventViewOf,
  MAX_CORRELATION_EVENTS,
  MetricView,
  ParkedEventView,
  parkedEventViewOf,
  positionText,
  rebuildViewOf,
  ProjectionRebuildView,
  ProjectionView,
  ReadCorrelationQuery,
  ReadMetricsQuery,
  ReadStreamQuery,
  RetryParkedAnswer,
  RetryParkedRequest,
  StreamView,
} from './operations.views.js';
import { OperationsApi } from './operations-controller.js';
import { ProjectionRebuilds } from './projection-rebuilds.js';

/** A stream's name: its category (a letter, then letters, digits, underscores), a dash, an id. */
const STREAM_NAME = /^[A-Za-z][A-Za-z0-9_]*-[^\s/]{1,200}$/;

/**
 * What an operator reads and does beside the business API (the operations console, scripts):
 * the host's streams, its projections' positions and lag and their rebuild, the events its
 * subscribers parked with a retry, and its metrics as JSON. Admins only. Each app serves
 * its own (its event store, its read models); the gateway joins them in the distributed mode.
 */
@OperationsApi('admin')
export class OperationsController {
  private readonly parked: PostgresParkedEvents;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTIONS) private readonly projections: Projections,
    private readonly rebuilds: ProjectionRebuilds,
  ) {
    this.parked = new PostgresParkedEvents(pool);
  }

  @Get('streams/:stream')
  @ApiOperation({ summary: 'The events of one stream, oldest first, with their metadata and payload' })
  @ApiParam({ name: 'stream', description: '`<category>-<id>`, e.g. `order-<order id>`, `checkout-…`, `reservation-…`, `payment-…`, `product-<sku>`.' })
  @ApiOkResponse({ type: StreamView })
  @ApiBadRequestResponse({ description: 'Not a stream name, or `from`/`first` out of range.' })
  @ApiNotFoundResponse({ description: 'No such stream in this app’s event store.' })
  async stream(@Param('stream') stream: string, @Query() { from = 0, first = 200 }: ReadStreamQuery): Promise<StreamView> {
    if (!STREAM_NAME.test(stream)) throw new BadRequestException(['stream must be a stream name: a category (a letter, then letters, digits or underscores), a dash and an id']);
    const events = await this.store.readStream(stream, { fromRevision: from, maxCount: first + 1 });
    if (events.length === 0 && from === 0) throw new NotFoundException(`There is no stream ${stream}.`);
    const page = events.slice(0, first);
    return { streamName: stream, events: page.map(eventViewOf), nextRevision: events.length > first ? from + first : null };
  }

  @Get('correlations/:id')
  @ApiOperation({
    summary: 'Every event of one story, whatever its stream: those whose correlation id is this one, in the order they were recorded',
    description:
      'One checkout’s order, saga, reservation, products, payment and the rest, from this app’s event store (the gateway joins every app’s in the distributed mode). On EventStoreDB, an event shows here a moment after it is written (its `$by_correlation_id` projection must run).',
  })
  @ApiParam({ name: 'id', description: 'A correlation id, as events carry it (`correlationId`) and requests answer it (`x-correlation-id`).' })
  @ApiOkResponse({ type: CorrelationView })
  @ApiBadRequestResponse({ description: 'Not a correlation id, or `first` out of range.' })
  @ApiNotFoundResponse({ description: 'No event in this app’s event store carries it.' })
  async correlation(@Param('id') id: string, @Query() { first = MAX_CORRELATION_EVENTS }: ReadCorrelationQuery): Promise<CorrelationView> {
    if (!CORRELATION_ID_PATTERN.test(id)) throw new BadRequestException(['id must be a correlation id: a letter or digit, then up to 127 letters, digits, dots, underscores, colons or dashes']);
    const events = await this.store.readByCorrelation(id, { maxCount: first + 1 });
    if (events.length === 0) throw new NotFoundException(`No event carries correlation id ${id}.`);
    return { correlationId: id, events: events.slice(0, first).map(eventViewOf), truncated: events.length > first };
  }

  @Get('projections')
  @ApiOperation({ summary: 'Each projection of this app: its checkpoint, the head of the log, its lag, parked events and last rebuild' })
  @ApiOkResponse({ type: [ProjectionView] })
  async projectionStatuses(): Promise<ProjectionView[]> {
    const [statuses, parked] = await Promise.all([this.projections.statuses(LAG_COUNT_LIMIT), this.parked.counts()]);
    return statuses.map(({ name, checkpoint, head, lagEvents, lagMs }) => ({
      name,
      checkpoint: positionText(checkpoint),
      head: positionText(head),
      lagEvents,
      lagCountLimited: lagEvents >= LAG_COUNT_LIMIT,
      lagMs,
      parked: parked.get(name) ?? 0,
      rebuild: rebuildViewOf(this.rebuilds.stateOf(name)),
    }));
  }

  @Post('projections/:name/rebuild')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Rebuild a projection from the start of the log, in the background; its progress shows in GET /api/admin/projections',
    description:
      'Into fresh copies of its tables while the live ones keep serving; then it switches in one transaction and the live projection carries on from there. One rebuild per schema at a time, also with the CLI’s (`npm run projections -- rebuild`).',
  })
  @ApiParam({ name: 'name', example: 'order.orders' })
  @ApiAcceptedResponse({ type: ProjectionRebuildView, description: 'It has begun.' })
  @ApiNotFoundResponse({ description: 'No projection of that name in this app; the message names those there are.' })
  @ApiConflictResponse({ description: 'A rebuild of a projection of the same schema is under way.' })
  async rebuild(@Param('name') name: string): Promise<ProjectionRebuildView> {
    return rebuildViewOf(await this.rebuilds.start(name))!;
  }

  @Get('metrics')
  @ApiOperation({
    summary: 'Metrics this instance keeps, by name, as JSON (what GET /metrics serves Prometheus, for a page that draws them)',
    description:
      'Those of the names it keeps, in the order asked (the apps of the distributed mode each keep their own). Counters count from the start of the process; the saga’s, the projections’ and the relays’ are kept by the instance that runs the app’s background work.',
  })
  @ApiOkResponse({ type: [MetricView] })
  @ApiBadRequestResponse({ description: 'No name, more than 20, or one that is not a metric name.' })
  @ApiNotFoundResponse({ description: 'This instance keeps none of the metrics named.' })
  async metrics(@Query() { name }: ReadMetricsQuery): Promise<MetricView[]> {
    const kept = name.flatMap((wanted) => register.getSingleMetric(wanted) ?? []);
    if (kept.length === 0) throw new NotFoundException(`This instance keeps no metric ${name.join(', ')}.`);
    return Promise.all(
      kept.map(async (metric) => {
        const { name, help, type, values } = await metric.get();
        // A histogram's values name their series (`…_bucket`, `…_sum`, `…_count`).
        return {
          name,
          help,
          type: String(type),
          values: (values as (typeof values[number] & { metricName?: string })[]).map(({ labels, value, metricName }) => ({ labels: labels as Record<string, string | number>, value, ...(metricName && { metricName }) })),
        };
      }),
    );
  }

  @Get('parked-events')
  @ApiOperation({ summary: 'Events this app’s subscribers parked (projections, relays, the saga’s feed…), in log order per subscriber' })
  @ApiOkResponse({ type: [ParkedEventView] })
  async parkedEvents(@Query() { subscriber }: RetryParkedRequest): Promise<ParkedEventView[]> {
    return (await this.parked.list(subscriber)).map(parkedEventViewOf);
  }

  @Post('parked-events/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Ask the subscribers to try their parked events again',
    description: 'The instance running the app’s background work tries them shortly, in log order, once each: one that applies leaves the list, one that fails again stays with its new error.',
  })
  @ApiAcceptedResponse({ type: RetryParkedAnswer })
  @ApiBadRequestResponse({ description: '`subscriber` is not a subscriber’s name.' })
  async retryParked(@Body() { subscriber }: RetryParkedRequest): Promise<RetryParkedAnswer> {
    return { asked: await this.parked.requestRetry(subscriber) };
  }
}
