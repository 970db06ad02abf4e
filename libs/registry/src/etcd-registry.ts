import { Logger } from '@nestjs/common';
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import { Etcd3, type Lease, type Watcher } from 'etcd3';
import { byServiceAndId, serviceInstanceSchema, type Discovery, type Registration, type ServiceInstance, type ServiceRegistry } from './service-registry.js';

export interface EtcdRegistryOptions {
  /** etcd's client URLs, e.g. `http://127.0.0.1:2379`. */
  readonly endpoints: readonly string[];
  /** Put before every key, to share one etcd between systems (or tests). Default `agora/`. */
  readonly prefix?: string;
  /** How long a registration outlives its last renewal. etcd3 renews it every third of this. */
  readonly leaseTtlSeconds?: number;
  /** Where it says what it does; default Nest's logger. */
  readonly logger?: RegistryLogger;
}

export interface RegistryLogger {
  log(message: string): void;
  warn(message: string): void;
}

const DEFAULT_TTL_SECONDS = 5;

/**
 * Service registration and discovery on etcd. An instance is one key,
 * `<prefix>services/<service>/<id>`, holding its JSON, attached to a lease of its own that
 * etcd3 keeps alive; discovery reads the prefix, then watches it from the revision it read.
 */
export class EtcdServiceRegistry implements ServiceRegistry {
  private readonly client: Etcd3;
  private readonly root: string;
  private readonly ttl: number;
  private readonly logger: RegistryLogger;
  /** What `close` ends: a lease kept alive would keep the process running and the instance listed. */
  private readonly registrations = new Set<Registration>();

  constructor(options: EtcdRegistryOptions) {
    this.client = new Etcd3({ hosts: [...options.endpoints], dialTimeout: 2000 });
    this.root = `${options.prefix ?? 'agora/'}services/`;
    this.ttl = options.leaseTtlSeconds ?? DEFAULT_TTL_SECONDS;
    this.logger = options.logger ?? new Logger('ServiceRegistry');
  }

  private keyOf(instance: ServiceInstance): string {
    return `${this.root}${instance.service}/${instance.id}`;
  }

  register(wanted: ServiceInstance): Registration {
    const instance = serviceInstanceSchema.parse(wanted);
    const key = this.keyOf(instance);
    const value = JSON.stringify(instance);
    const stop = new AbortController();
    let lease: Lease | undefined;
    // Grants a lease and puts the key under it, with backoff while etcd cannot be reached;
    // again whenever the lease is lost (etcd was unreachable for longer than the TTL, or
    // lost its data), until the instance deregisters.
    const policy = retry(handleAll, { maxAttempts: Number.POSITIVE_INFINITY, backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5000 }) });
    policy.onRetry((reason) => {
      if ('error' in reason) this.logger.warn(`Cannot register ${instance.service} ${instance.id} yet (${reason.error instanceof Error ? reason.error.message : String(reason.error)}); trying again`);
    });
    const grant = async (): Promise<void> => {
      const next = this.client.lease(this.ttl, { autoKeepAlive: true });
      // Only the lease that holds the registration: one that was never granted is also
      // "lost", and that attempt is the retry policy's to repeat.
      next.on('lost', (error) => {
        if (stop.signal.aborted || lease !== next) return;
        lease = undefined;
        this.logger.warn(`Registration of ${instance.service} ${instance.id} lost (${error.message}); registering again`);
        void policy.execute(grant, stop.signal).catch(() => undefined);
      });
      try {
        await next.put(key).value(value);
      } catch (error) {
        // Not awaited: with etcd unreachable, revoking may wait as long as granting did.
        void next.revoke().catch(() => undefined);
        throw error;
      }
      if (stop.signal.aborted) await next.revoke();
      else lease = next;
    };
    const registered = policy.execute(grant, stop.signal);
    // Deregistering before the first grant ends the attempts: not a failure of anyone's.
    registered.catch(() => undefined);
    const registration: Registration = {
      instance,
      registered,
      deregister: async () => {
        this.registrations.delete(registration);
        stop.abort();
        // Revoking the lease deletes the key at once.
        await lease?.revoke().catch((error: Error) => this.logger.warn(`Could not revoke the registration of ${instance.id}: ${error.message}`));
      },
    };
    this.registrations.add(registration);
    return registration;
  }

  async discover(): Promise<Discovery> {
    const known = new Map<string, ServiceInstance>();
    const listeners = new Set<(instances: readonly ServiceInstance[]) => void>();
    const snapshot = () => [...known.values()].sort(byServiceAndId);
    const changed = () => {
      const instances = snapshot();
      for (const listener of listeners) listener(instances);
    };
    const accept = (key: string, value: string): boolean => {
      const parsed = serviceInstanceSchema.safeParse(safeJson(value));
      if (parsed.success && key === this.keyOf(parsed.data)) {
        known.set(key, parsed.data);
        return true;
      }
      // Someone else's key under our prefix: ignored, and said, rather than routed to.
      this.logger.warn(`Ignoring ${key}: not an instance registration (${parsed.success ? 'its key does not match its service and id' : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ')})`);
      return false;
    };
    const read = await this.client.getAll().prefix(this.root).exec();
    for (const kv of read.kvs) accept(kv.key.toString(), kv.value.toString());
    const watcher: Watcher = await this.client
      .watch()
      .prefix(this.root)
      .startRevision(String(BigInt(read.header.revision) + 1n))
      .create();
    watcher.on('put', (kv) => {
      if (accept(kv.key.toString(), kv.value.toString())) changed();
    });
    watcher.on('delete', (kv) => {
      if (known.delete(kv.key.toString())) changed();
    });
    watcher.on('disconnected', (error) => this.logger.warn(`Lost the watch on the registry (${error.message}); reconnecting`));
    watcher.on('connected', () => this.logger.log('Watching the registry'));
    return {
      instances: (service) => snapshot().filter((instance) => service === undefined || instance.service === service),
      onChange: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: async () => {
        listeners.clear();
        await watcher.cancel();
      },
    };
  }

  /** Deregisters every instance registered here, then closes the connection. */
  async close(): Promise<void> {
    await Promise.all([...this.registrations].map((registration) => registration.deregister()));
    this.client.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
