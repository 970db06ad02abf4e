import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { HostProcess, type Exit } from './host-process.js';
import { parseRoutes, type Route } from '@agora/registry';
import { createTestDatabase } from './postgres.js';
import { until } from './until.js';

/** The apps of the distributed mode, one per context. */
export const CONTEXT_APPS = ['user', 'inventory', 'order', 'payment', 'recommendation'] as const;
export type ContextApp = (typeof CONTEXT_APPS)[number];

/** The built entry file of an app (`nest build <app>`). */
export const appEntry = (app: ContextApp | 'shop') => `dist/apps/${app}/apps/${app}/src/main.js`;

/** Which app serves a path of the public API, as a gateway in front of the apps would route it. */
export function appServing(path: string): ContextApp {
  if (/^\/api\/(users|auth)(\/|$|\?)/.test(path)) return 'user';
  if (/^\/api\/recommendations(\/|$|\?)/.test(path) || /^\/api\/products\/[^/]+\/also-bought/.test(path)) return 'recommendation';
  if (/^\/api\/products(\/|$|\?)/.test(path)) return 'inventory';
  if (/^\/api\/orders(\/|$|\?)/.test(path)) return 'order';
  if (/^\/api\/payments(\/|$|\?)/.test(path)) return 'payment';
  throw new Error(`No app serves ${path}`);
}

export interface DistributedShopOptions {
  /** Added to every app's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Further options for node in every app, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Each app's database; default a fresh test database per app. */
  readonly databaseUrl?: (app: ContextApp) => Promise<string>;
  /**
   * The instances each app starts with, as what each adds to its environment (e.g.
   * `INSTANCE_WEIGHT`); default one instance per app.
   */
  readonly instances?: Partial<Record<ContextApp, readonly Readonly<Record<string, string>>[]>>;
  /**
   * Register every instance in the run's etcd (REGISTRY_ENDPOINTS, started for the tests)
   * under a prefix of this shop's own, with leases of `leaseTtlSeconds`; `startEdge` needs it.
   */
  readonly registry?: { readonly leaseTtlSeconds?: number };
}

/** The built entry file of the edge (`nest build edge`): nginx over the registry. */
export const EDGE_ENTRY = 'dist/apps/edge/apps/edge/src/main.js';

/** The built entry file of the gateway (`nest build gateway`): GraphQL over the apps in the registry. */
export const GATEWAY_ENTRY = 'dist/apps/gateway/apps/gateway/src/main.js';

/**
 * The distributed mode as separate processes: every context app built and spawned with
 * its own PostgreSQL database, all on one Kafka (KAFKA_BROKERS) under a topic prefix of
 * their own, so that runs sharing a broker never see each other's messages.
 */
export class DistributedShop {
  private readonly instances = new Map<ContextApp, HostProcess[]>();

  private constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly databases: ReadonlyMap<ContextApp, string>,
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  static async start(options: DistributedShopOptions = {}): Promise<DistributedShop> {
    const databaseUrl = options.databaseUrl ?? ((app: ContextApp) => createTestDatabase(`dist_${app}`));
    const databases = new Map(await Promise.all(CONTEXT_APPS.map(async (app) => [app, await databaseUrl(app)] as const)));
    const run = randomUUID().slice(0, 8);
    const registry = options.registry && {
      REGISTRY_ENDPOINTS: registryEndpoints(),
      REGISTRY_PREFIX: `t${run}/`,
      REGISTRY_LEASE_TTL_S: String(options.registry.leaseTtlSeconds ?? 5),
      // Behind nginx: the client's address is the one nginx saw.
      TRUST_PROXY_HOPS: '1',
    };
    const shop = new DistributedShop({ KAFKA_TOPIC_PREFIX: `t${run}.`, ...registry, ...options.env }, databases, options.nodeArgs);
    // Settled, not all: an app that fails must not leave the others running unseen.
    const started = await Promise.allSettled(CONTEXT_APPS.flatMap((app) => (options.instances?.[app] ?? [{}]).map((env) => shop.startInstance(app, env))));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await shop.stop();
      throw failed.reason;
    }
    return shop;
  }

  /** Put before every topic and consumer group name of this run. */
  get topicPrefix(): string {
    return this.env['KAFKA_TOPIC_PREFIX'] ?? '';
  }

  /** Starts one more instance of `app` on its database and waits until it is healthy. */
  async startInstance(app: ContextApp, env: Readonly<Record<string, string | undefined>> = {}): Promise<HostProcess> {
    const host = await HostProcess.start({
      entry: appEntry(app),
      port: await freePort(),
      env: { ...this.env, DATABASE_URL: this.databases.get(app)!, ...env },
      nodeArgs: this.nodeArgs,
      timeoutMs: 60_000,
    });
    this.instances.set(app, [...(this.instances.get(app) ?? []), host]);
    return host;
  }

  /** The running instances of `app`, oldest first. */
  instancesOf(app: ContextApp): readonly HostProcess[] {
    return this.instances.get(app) ?? [];
  }

  /** The base URL of a live instance of the app serving `path`. */
  urlFor(path: string): string {
    const live = this.instancesOf(appServing(path));
    if (live.length === 0) throw new Error(`No instance of ${appServing(path)} runs`);
    return live[live.length - 1]!.url;
  }

  /** Ends an instance (SIGKILL: no shutdown at all) and forgets it. */
  async kill(host: HostProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    host.kill(signal);
    const exit = await host.exited;
    for (const [app, hosts] of this.instances) this.instances.set(app, hosts.filter((other) => other !== host));
    return exit;
  }

  /** Stops every instance with SIGTERM; resolves with each one's exit. */
  async stop(): Promise<{ readonly app: ContextApp; readonly exit: Exit }[]> {
    const all = [...this.instances].flatMap(([app, hosts]) => hosts.map((host) => ({ app, host })));
    this.instances.clear();
    return Promise.all(all.map(async ({ app, host }) => ({ app, exit: await host.stop('SIGTERM') })));
  }

  /** Every instance's output, for a failure message. */
  output(): string {
    return [...this.instances].flatMap(([app, hosts]) => hosts.map((host) => `--- ${app} ---\n${host.stdout.split('\n').slice(-15).join('\n')}\n${host.stderr.split('\n').slice(-15).join('\n')}`)).join('\n');
  }

  /**
   * The gateway over this shop's registry, with `env` added (its GATEWAY_* settings), once
   * its /health answers 200: every app has an instance up. The caller stops it.
   */
  async startGateway(env: Readonly<Record<string, string>> = {}): Promise<HostProcess> {
    if (!this.env['REGISTRY_PREFIX']) throw new Error('startGateway needs a shop started with `registry`');
    return HostProcess.start({ entry: GATEWAY_ENTRY, port: await freePort(), env: { ...this.env, ...env }, nodeArgs: this.nodeArgs, timeoutMs: 60_000 });
  }

  /**
   * What `npm run start:distributed` puts in front of the apps: the gateway (with `env`
   * added) and the edge, once nginx routes to every app and to the gateway.
   */
  async startEntry(env: Readonly<Record<string, string>> = {}): Promise<PublicEntry> {
    const gateway = await this.startGateway(env);
    let edge: HostProcess | undefined;
    try {
      edge = await this.startEdge();
      const expected = [...CONTEXT_APPS, 'gateway'];
      await until(() => expected.every((service) => (edgeRoutes(edge!)?.[service]?.length ?? 0) > 0), 15_000);
    } catch (error) {
      edge?.kill('SIGKILL');
      gateway.kill('SIGKILL');
      throw error;
    }
    const started = edge;
    return { gateway, edge: started, url: started.url, stop: async () => [await started.stop('SIGTERM'), await gateway.stop('SIGTERM')] };
  }

  /**
   * The public entry (the edge: nginx over this shop's registry) on a port of its own,
   * once nginx listens. The caller stops it (`stop('SIGTERM')`).
   */
  async startEdge(): Promise<HostProcess> {
    if (!this.env['REGISTRY_PREFIX']) throw new Error('startEdge needs a shop started with `registry`');
    const edge = HostProcess.spawn({
      entry: EDGE_ENTRY,
      port: await freePort(),
      env: { ...this.env, NGINX_DIR: await mkdtemp(join(tmpdir(), 'agora-edge-')), LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    });
    try {
      await edge.waitForLog((line) => typeof line['msg'] === 'string' && line['msg'].startsWith('nginx serves on'), 15_000);
    } catch (error) {
      edge.kill('SIGKILL');
      throw error;
    }
    return edge;
  }
}

/** The public entry of a distributed shop: the gateway and the edge in front of it. */
export interface PublicEntry {
  readonly gateway: HostProcess;
  readonly edge: HostProcess;
  /** nginx's URL: the whole shop's REST API and GraphQL. */
  readonly url: string;
  /** Stops the edge, then the gateway, with SIGTERM; resolves with their exits. */
  stop(): Promise<readonly Exit[]>;
}

/** The run's etcd: the tests' global setup starts one (scripts/etcd.sh) unless REGISTRY_ENDPOINTS names one. */
function registryEndpoints(): string {
  const endpoints = process.env['REGISTRY_ENDPOINTS'];
  if (!endpoints) throw new Error('REGISTRY_ENDPOINTS is not set: the tests\' global setup starts etcd (scripts/etcd.sh) and sets it');
  return endpoints;
}

/** The routes the edge last logged that nginx serves (`formatRoutes`), by service. */
export function edgeRoutes(edge: HostProcess): Record<string, Route[]> | undefined {
  const last = edge
    .logs()
    .filter((line) => typeof line['routes'] === 'string')
    .at(-1)?.['routes'] as string | undefined;
  return last === undefined ? undefined : parseRoutes(last);
}
