import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { HEALTH_PATH, Public } from '@agora/platform';
import { addressOf, type ServiceInstance } from '@agora/registry';
import type { ContextClient } from './context-clients.js';
import { CONTEXT_CLIENTS } from './gateway.tokens.js';

/** An instance's /health that does not answer in time counts as down. */
const PROBE_TIMEOUT_MS = 2000;

type InstanceStatus = 'ok' | 'degraded' | 'down';

async function probe(instance: ServiceInstance): Promise<InstanceStatus> {
  try {
    const response = await fetch(`http://${addressOf(instance)}/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const { status } = (await response.json()) as { status?: unknown };
    if (response.ok && (status === 'ok' || status === 'degraded')) return status;
    return 'down';
  } catch {
    return 'down';
  }
}

/**
 * The distributed mode's `/health` (nginx routes the public one here): per app, its
 * instances in the registry with what each one's own /health answers, and the state of
 * the gateway's circuit breaker for it. An app with no instance up makes it 503; an
 * instance down or degraded, or a breaker not closed, makes it `degraded` (still 200:
 * every app answers through some instance).
 */
@Public()
@Controller(HEALTH_PATH)
export class GatewayHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(CONTEXT_CLIENTS) private readonly clients: ReadonlyMap<string, ContextClient>,
  ) {}

  @Get()
  @HealthCheck()
  async check() {
    let degraded = false;
    const result = await this.health.check(
      [...this.clients.values()].map((client) => async () => {
        const instances = await Promise.all(
          client.instances().map(async (instance) => ({ id: instance.id, address: addressOf(instance), weight: instance.weight, status: await probe(instance) })),
        );
        const details = { breaker: client.breaker, instances };
        degraded ||= client.breaker !== 'closed' || instances.some(({ status }) => status !== 'ok');
        const indicator = this.indicators.check(client.service);
        return instances.some(({ status }) => status !== 'down') ? indicator.up(details) : indicator.down(details);
      }),
    );
    return degraded ? { ...result, status: 'degraded' } : result;
  }
}
