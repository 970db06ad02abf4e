import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { PostgresParkedEvents } from '@agora/messaging';
import { BACKGROUND_WORK, HEALTH_PATH, PG_POOL, Public, type BackgroundWork } from '@agora/platform';
import { PROJECTIONS, type Projections } from '@agora/projections';
import type pg from 'pg';

/** A check that does not answer in time counts as down: a hung server must not hang /health. */
const CHECK_TIMEOUT_MS = 3000;
/** Events counted per projection for /health: enough to tell a lag, cheap to read. */
export const LAG_COUNT_LIMIT = 1000;

export const PROJECTION_LAG_DEGRADED_MS = Symbol('ProjectionLagDegradedMs');

/**
 * `/health`: terminus checks of the database and the event store (any of them down: 503),
 * and what an operator should look at while the host still serves: projection lag, and
 * events parked by any subscriber of the log. Either makes the overall status `degraded`
 * (still 200: the host works, some of its data waits).
 */
@Public()
@Controller(HEALTH_PATH)
export class HealthController {
  private readonly parked: PostgresParkedEvents;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(PROJECTION_LAG_DEGRADED_MS) private readonly degradedAfterMs: number,
    @Inject(BACKGROUND_WORK) private readonly background: BackgroundWork,
  ) {
    this.parked = new PostgresParkedEvents(pool);
  }

  @Get()
  @HealthCheck()
  async check() {
    let degraded = false;
    const result = await this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(async () => {
            await this.pool.query('SELECT 1');
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('eventStore')
          .attempt(async () => {
            await this.eventStore.headPosition();
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      // Which instance of the app runs its relays, projections and saga: the others stand by.
      () => this.indicators.check('backgroundWork').up({ active: this.background.active, works: this.background.names }),
      // Lag does not make the host unhealthy (it serves older data, and catches up): it
      // shows per projection, marked degraded past the threshold.
      async () => {
        const [statuses, parked] = await Promise.all([this.projections.statuses(LAG_COUNT_LIMIT), this.parked.counts()]);
        return this.indicators.check('projections').up(
          Object.fromEntries(
            statuses.map(({ name, lagEvents, lagMs }) => {
              const lagging = lagMs > this.degradedAfterMs;
              const parkedEvents = parked.get(name) ?? 0;
              degraded ||= lagging || parkedEvents > 0;
              return [name, { lagEvents: lagEvents >= LAG_COUNT_LIMIT ? `${LAG_COUNT_LIMIT}+` : lagEvents, lagMs, parked: parkedEvents, degraded: lagging || parkedEvents > 0 }];
            }),
          ),
        );
      },
      // Every subscriber of the log that has parked events (relays, the saga's feed, payments…).
      async () => {
        const parked = await this.parked.counts();
        degraded ||= parked.size > 0;
        return this.indicators.check('parkedEvents').up(Object.fromEntries([...parked].map(([subscriber, count]) => [subscriber, { parked: count, degraded: true }])));
      },
    ]);
    return degraded ? { ...result, status: 'degraded' } : result;
  }
}
