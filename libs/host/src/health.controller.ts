import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { BACKGROUND_WORK, HEALTH_PATH, PG_POOL, Public, type BackgroundWork } from '@agora/platform';
import { PROJECTIONS, type Projections } from '@agora/projections';
import type pg from 'pg';

/** A check that does not answer in time counts as down: a hung server must not hang /health. */
const CHECK_TIMEOUT_MS = 3000;
/** Events counted per projection for /health: enough to tell a lag, cheap to read. */
const LAG_COUNT_LIMIT = 1000;

export const PROJECTION_LAG_DEGRADED_MS = Symbol('ProjectionLagDegradedMs');

@Public()
@Controller(HEALTH_PATH)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(PROJECTION_LAG_DEGRADED_MS) private readonly degradedAfterMs: number,
    @Inject(BACKGROUND_WORK) private readonly background: BackgroundWork,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
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
        const statuses = await this.projections.statuses(LAG_COUNT_LIMIT);
        return this.indicators.check('projections').up(
          Object.fromEntries(
            statuses.map(({ name, lagEvents, lagMs }) => [
              name,
              { lagEvents: lagEvents >= LAG_COUNT_LIMIT ? `${LAG_COUNT_LIMIT}+` : lagEvents, lagMs, degraded: lagMs > this.degradedAfterMs },
            ]),
          ),
        );
      },
    ]);
  }
}
