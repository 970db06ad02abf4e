import { z } from 'zod';

/** One running instance of a service, as it registers itself and as discovery lists it. */
export interface ServiceInstance {
  /** The service it is an instance of: an app's name, e.g. `order`. */
  readonly service: string;
  /** Unique among the service's instances; every response of the instance carries it (`X-Instance-Id`). */
  readonly id: string;
  /** Where other processes reach it. */
  readonly host: string;
  readonly port: number;
  /** Its share of the traffic against the service's other instances (weighted round-robin). */
  readonly weight: number;
}

/** Names as nginx, etcd keys and log lines take them: no spaces, slashes or braces. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const MAX_WEIGHT = 100;

export const serviceInstanceSchema = z.object({
  service: z.string().regex(NAME),
  id: z.string().regex(NAME),
  host: z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/),
  port: z.number().int().min(1).max(65_535),
  weight: z.number().int().min(1).max(MAX_WEIGHT),
});

/** An instance's registration: it lasts until `deregister()` or until the process stops renewing it. */
export interface Registration {
  readonly instance: ServiceInstance;
  /**
   * Settles once the registry holds the instance. While the registry cannot be reached the
   * registration is tried again with backoff, so an app starts and serves without it.
   */
  readonly registered: Promise<void>;
  /** Removes the instance at once (a clean stop): discovery drops it without waiting for its lease to expire. */
  deregister(): Promise<void>;
}

/** What discovery knows right now, kept up to date by a watch. */
export interface Discovery {
  /** The live instances of `service`, or of every service, ordered by service and id. */
  instances(service?: string): readonly ServiceInstance[];
  /** Calls `listener` with every instance after each change; returns a function that stops it. */
  onChange(listener: (instances: readonly ServiceInstance[]) => void): () => void;
  close(): Promise<void>;
}

/**
 * The port of service registration and discovery. An instance registers under a lease that
 * it keeps alive: a stopped instance deregisters, and a killed one disappears when its
 * lease expires. `EtcdServiceRegistry` is the adapter here; another registry (Consul)
 * would be one more class with these methods.
 */
export interface ServiceRegistry {
  /** Throws at once for an instance with a bad field; otherwise registers it, now or once the registry answers. */
  register(instance: ServiceInstance): Registration;
  /** Reads every registered instance, then follows every change. */
  discover(): Promise<Discovery>;
  /** Deregisters what was registered through it, and lets go of the registry. */
  close(): Promise<void>;
}

/** Where to connect to an instance: `host:port`, an IPv6 address in brackets. */
export function addressOf(instance: Pick<ServiceInstance, 'host' | 'port'>): string {
  return instance.host.includes(':') && !instance.host.startsWith('[') ? `[${instance.host}]:${instance.port}` : `${instance.host}:${instance.port}`;
}

/** Orders instances by service, then id: a stable order for rendering and comparing. */
export function byServiceAndId(a: ServiceInstance, b: ServiceInstance): number {
  return a.service.localeCompare(b.service) || a.id.localeCompare(b.id);
}
