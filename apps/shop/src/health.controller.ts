import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@agora/event-sourcing';
import { HEALTH_PATH, PG_POOL } from '@agora/platform';
import type pg from 'pg';

/** A check that does not answer in time counts as down: a hung server must not hang /health. */
const CHECK_TIMEOUT_MS = 3000;

@Controller(HEALTH_PATH)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
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
    ]);
  }
}
