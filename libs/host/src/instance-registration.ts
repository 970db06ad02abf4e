import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { hostname } from 'node:os';
import { isWildcardHost, type Config } from '@agora/platform';
import { EtcdServiceRegistry, type Registration } from '@agora/registry';

/** The name of a host instance: INSTANCE_ID, or `<app>-<host name>-<port>`. */
export function instanceIdOf(app: string, config: Pick<Config, 'INSTANCE_ID' | 'PORT'>): string {
  return config.INSTANCE_ID ?? `${app}-${hostname().replace(/[^A-Za-z0-9.-]/g, '-')}-${config.PORT}`.slice(0, 100);
}

/** Where other processes reach the instance: ADVERTISE_HOST, else HOST unless it is a wildcard. */
function advertisedHost(config: Pick<Config, 'ADVERTISE_HOST' | 'HOST'>): string {
  if (config.ADVERTISE_HOST) return config.ADVERTISE_HOST;
  return isWildcardHost(config.HOST) ? '127.0.0.1' : config.HOST;
}

/**
 * The host's entry in the service registry (REGISTRY_ENDPOINTS): made once the HTTP server
 * listens (`runHost`), removed first thing on shutdown, before the server stops taking
 * requests, so that nginx and the gateway stop sending it any. Without REGISTRY_ENDPOINTS
 * it does nothing.
 */
export class InstanceRegistration implements OnModuleDestroy {
  private readonly logger = new Logger('ServiceRegistry');
  private registry?: EtcdServiceRegistry;
  private registration?: Registration;

  constructor(
    private readonly app: string,
    private readonly config: Config,
  ) {}

  get id(): string {
    return instanceIdOf(this.app, this.config);
  }

  register(port: number): void {
    const { REGISTRY_ENDPOINTS: endpoints } = this.config;
    if (!endpoints || this.registration) return;
    this.registry = new EtcdServiceRegistry({ endpoints: endpoints.split(','), prefix: this.config.REGISTRY_PREFIX, leaseTtlSeconds: this.config.REGISTRY_LEASE_TTL_S });
    const registration = this.registry.register({ service: this.app, id: this.id, host: advertisedHost(this.config), port, weight: this.config.INSTANCE_WEIGHT });
    this.registration = registration;
    const { instance } = registration;
    void registration.registered.then(
      () => this.logger.log(`Registered ${instance.service} instance ${instance.id} at ${instance.host}:${instance.port} with weight ${instance.weight} (${endpoints})`),
      () => undefined,
    );
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.registration) return;
    await this.registration.deregister();
    await this.registry!.close();
    this.logger.log(`Deregistered ${this.registration.instance.id}`);
  }
}
