import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@agora/platform';
import { parse } from 'yaml';

// docker compose cannot run on the build machines; this checks what can be checked without it.
interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
}
const composeText = readFileSync('docker-compose.yml', 'utf8');
// `merge`: the services take their shared environment from `<<: *app-environment`.
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const nestProjects = (JSON.parse(readFileSync('nest-cli.json', 'utf8')) as { projects: Record<string, { type: string; root: string; entryFile: string }> })
  .projects;
const applications = Object.keys(nestProjects).filter((name) => nestProjects[name]!.type === 'application');
const services = Object.entries(compose.services);
/** The services that run a Nest app built from the Dockerfile, with the app's name. */
const apps = services.flatMap(([name, service]) => (service.build?.args?.['APP'] ? [{ name, app: service.build.args['APP'], service }] : []));
/** The hosts among them, which keep data: all but the edge (nginx over the registry) and the gateway (GraphQL over the apps). */
const hosts = apps.filter(({ app }) => app !== 'edge' && app !== 'gateway');
/** The apps that sign or check tokens: the hosts, and the gateway, which signs its own for the payment app. */
const tokenApps = apps.filter(({ app }) => app !== 'edge');
/** The context apps that exchange integration messages over Kafka (user publishes its token versions). */
const KAFKA_APPS = ['inventory', 'order', 'payment', 'recommendation', 'user'];

const dependencies = (service: Service) => Object.keys(service.depends_on ?? {});
/** `"3001:3001"` → { host: 3001, container: 3001 }. */
const publishedPorts = (service: Service) =>
  (service.ports ?? []).map((mapping) => {
    const [host, container] = mapping.split(':').slice(-2).map(Number);
    return { host, container };
  });
/** `PLAINTEXT://kafka:9092,EXTERNAL://localhost:29092` → name, host and port of each listener. */
const listeners = (value: string | undefined) =>
  (value ?? '').split(',').map((listener) => {
    const [, name, host, port] = /^([A-Z_]+):\/\/([^:]*):(\d+)$/.exec(listener.trim()) ?? [];
    return { name, host, port: Number(port) };
  });

describe('docker-compose.yml', () => {
  it('gives every service an image or a build of a Nest app from the Dockerfile', () => {
    for (const [name, service] of services) {
      if (service.image) continue;
      expect({ name, context: service.build?.context }).toEqual({ name, context: '.' });
      expect(existsSync('Dockerfile')).toBe(true);
      expect(nestProjects[service.build!.args!['APP']!]?.type).toBe('application');
    }
  });

  it('has a service for every Nest application project', () => {
    expect([...new Set(apps.map(({ app }) => app))].sort()).toEqual([...applications].sort());
  });

  it('waits only for services that exist and have a healthcheck', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, exists: dependency in compose.services }).toEqual({ name, dependency, exists: true });
        expect(condition).toBe('service_healthy');
        expect(compose.services[dependency]!.healthcheck?.test.length).toBeGreaterThan(0);
      }
    }
  });

  it('points every app at hosts that are services of the file', () => {
    for (const [name, service] of services) {
      for (const variable of ['DATABASE_URL', 'EVENTSTORE_URL']) {
        const value = service.environment?.[variable];
        if (!value) continue;
        const host = new URL(value).hostname;
        expect({ name, variable, host, isService: host in compose.services }).toEqual({ name, variable, host, isService: true });
        expect(Object.keys(service.depends_on ?? {})).toContain(host);
      }
    }
  });

  it('gives every app a configuration it accepts, on the port it publishes', () => {
    for (const { name, service } of apps) {
      const config = parseConfig(service.environment ?? {});
      expect({ name, published: publishedPorts(service) }).toEqual({ name, published: [{ host: config.PORT, container: config.PORT }] });
    }
  });

  it('runs every app in production, as the image does, with an administrator password from the environment of compose, never one of its own', () => {
    for (const { name, service } of hosts) {
      const config = parseConfig({ ...service.environment, NODE_ENV: 'production' });
      expect({ name, demoData: config.DEMO_DATA }).toEqual({ name, demoData: false });
      expect({ name, adminPassword: service.environment?.['ADMIN_PASSWORD'] }).toEqual({ name, adminPassword: expect.stringMatching(/^\$\{ADMIN_PASSWORD:\?[^}]*\}$/) });
    }
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
  });

  it('connects the Kafka context apps to a broker', () => {
    for (const app of KAFKA_APPS) expect(applications).toContain(app);
    const kafkaApps = apps.filter(({ app }) => KAFKA_APPS.includes(app));
    expect([...new Set(kafkaApps.map(({ app }) => app))].sort()).toEqual([...KAFKA_APPS].sort());
    for (const { name, service } of kafkaApps) expect({ name, brokers: service.environment?.['KAFKA_BROKERS'] }).toEqual({ name, brokers: expect.any(String) });
  });

  it('names in KAFKA_BROKERS only services it depends on, at an address the broker advertises', () => {
    const withBrokers = services.filter(([, service]) => service.environment?.['KAFKA_BROKERS']);
    expect(withBrokers.length).toBeGreaterThan(0);
    for (const [name, service] of withBrokers) {
      for (const broker of service.environment!['KAFKA_BROKERS']!.split(',')) {
        const [host, port] = broker.split(':');
        expect({ name, host, isService: host! in compose.services }).toEqual({ name, host, isService: true });
        expect(dependencies(service)).toContain(host);
        const advertised = listeners(compose.services[host!]!.environment?.['KAFKA_ADVERTISED_LISTENERS']);
        expect(advertised.map((listener) => `${listener.host}:${listener.port}`)).toContain(`${host}:${port}`);
      }
    }
  });

  it('advertises Kafka listeners that their clients can reach', () => {
    const brokers = services.filter(([, service]) => service.environment?.['KAFKA_ADVERTISED_LISTENERS']);
    expect(brokers.length).toBeGreaterThan(0);
    for (const [name, broker] of brokers) {
      const bound = listeners(broker.environment!['KAFKA_LISTENERS']);
      const protocols = (broker.environment!['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP'] ?? '').split(',').map((entry) => entry.split(':')[0]);
      for (const { name: listener, host, port } of listeners(broker.environment!['KAFKA_ADVERTISED_LISTENERS'])) {
        expect({ name, listener, protocol: protocols.includes(listener) }).toEqual({ name, listener, protocol: true });
        // Bound on the same port under the same listener name.
        expect(bound.filter((candidate) => candidate.name === listener).map((candidate) => candidate.port)).toEqual([port]);
        // For containers: the service's own name. For the host: localhost, published on the same port.
        if (host === 'localhost') expect(publishedPorts(broker)).toContainEqual({ host: port, container: port });
        else expect({ listener, host }).toEqual({ listener, host: name });
      }
    }
  });

  it('gives every service with EVENT_STORE=esdb an EventStoreDB it depends on', () => {
    const esdb = services.filter(([, service]) => service.environment?.['EVENT_STORE'] === 'esdb');
    expect(esdb.length).toBeGreaterThan(0);
    for (const [name, service] of esdb) {
      const url = service.environment?.['EVENTSTORE_URL'];
      expect({ name, url }).toEqual({ name, url: expect.stringMatching(/^esdb:\/\//) });
      const host = new URL(url!).hostname;
      expect({ name, host, isService: host in compose.services }).toEqual({ name, host, isService: true });
      expect(dependencies(service)).toContain(host);
    }
  });

  it('registers every distributed app and the gateway in the registry at an address the edge can reach, the edge and the gateway reading the same registry', () => {
    const registered = tokenApps.filter(({ app }) => app !== 'shop');
    expect(registered.map(({ app }) => app)).toContain('gateway');
    const registries = new Set<string>();
    for (const { name, service } of [...registered, ...apps.filter(({ app }) => app === 'edge')]) {
      const config = parseConfig(service.environment ?? {});
      expect({ name, registry: config.REGISTRY_ENDPOINTS }).toEqual({ name, registry: expect.any(String) });
      for (const endpoint of config.REGISTRY_ENDPOINTS!.split(',')) {
        const host = new URL(endpoint).hostname;
        expect({ name, host, isService: host in compose.services }).toEqual({ name, host, isService: true });
        expect(dependencies(service)).toContain(host);
        registries.add(endpoint);
      }
    }
    expect(registries.size).toBe(1);
    // Each instance under a name of its own, at its own service's address.
    const ids = registered.map(({ name, service }) => parseConfig(service.environment ?? {}).INSTANCE_ID ?? name);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { name, service } of registered) expect({ name, advertised: service.environment?.['ADVERTISE_HOST'] }).toEqual({ name, advertised: name });
    // Two instances of the order app, weighted unlike.
    const weights = registered.filter(({ app }) => app === 'order').map(({ service }) => parseConfig(service.environment ?? {}).INSTANCE_WEIGHT);
    expect(weights.length).toBe(2);
    expect(new Set(weights).size).toBe(2);
  });

  it('signs tokens with one JWT_SECRET in every app', () => {
    const secrets = tokenApps.map(({ name, service }) => ({ name, secret: service.environment?.['JWT_SECRET'] }));
    for (const { name, secret } of secrets) expect({ name, secret }).toEqual({ name, secret: expect.any(String) });
    expect(new Set(secrets.map(({ secret }) => secret)).size).toBe(1);
  });

  it('gives every app its own database, shared by its instances, created by the PostgreSQL service', () => {
    const urls = hosts.flatMap(({ name, app, service }) => (service.environment?.['DATABASE_URL'] ? [{ name, app, url: new URL(service.environment['DATABASE_URL']) }] : []));
    expect(urls.map(({ name }) => name).sort()).toEqual(hosts.map(({ name }) => name).sort());
    const databaseOf = new Map<string, string>();
    for (const { app, url } of urls) {
      const database = `${url.host}${url.pathname}`;
      expect({ app, database }).toEqual({ app, database: databaseOf.get(app) ?? database });
      databaseOf.set(app, database);
    }
    expect(new Set(databaseOf.values()).size).toBe(databaseOf.size);
    for (const { name, url } of urls) {
      const server = compose.services[url.hostname]!;
      const database = url.pathname.slice(1);
      // The image's POSTGRES_DB, or a database named in an SQL script of its init directory.
      const initDirectory = (server.volumes ?? []).map((volume) => volume.split(':')).find(([, target]) => target === '/docker-entrypoint-initdb.d')?.[0];
      const scripts = initDirectory
        ? readdirSync(initDirectory)
            .filter((file) => file.endsWith('.sql'))
            .map((file) => readFileSync(posix.join(initDirectory, file), 'utf8'))
        : [];
      const created = server.environment?.['POSTGRES_DB'] === database || scripts.some((script) => script.includes(`'${database}'`));
      expect({ name, database, created }).toEqual({ name, database, created: true });
    }
  });

  it('lists every published service and the start commands in its header', () => {
    const header = composeText.slice(0, composeText.search(/^[^#\s]/m));
    for (const [name, service] of services) {
      for (const { host } of publishedPorts(service)) expect(header).toMatch(new RegExp(`^#\\s+${host}\\s+${name}\\s`, 'm'));
    }
    expect(header).toContain('docker compose up --build\n');
    expect(header).toMatch(/docker compose up --build shop\n/);
    const distributed = /^# Only the distributed apps:\s+docker compose up --build (.+)$/m.exec(header)?.[1]?.split(' ');
    expect(distributed?.sort()).toEqual(apps.filter(({ app }) => app !== 'shop').map(({ name }) => name).sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');

  it('starts the entry file that `nest build` writes for every app', () => {
    const [, source, target] = /^COPY --from=build \/agora\/(\S+) (\S+)$/m.exec(dockerfile) ?? [];
    const [, entry] = /^CMD .*node (\S+\.js)/m.exec(dockerfile) ?? [];
    expect({ source, target, entry }).toEqual({ source: expect.any(String), target: expect.any(String), entry: expect.any(String) });
    for (const app of applications) {
      const project = nestProjects[app]!;
      const { compilerOptions } = JSON.parse(readFileSync(posix.join(project.root, 'tsconfig.app.json'), 'utf8')) as {
        compilerOptions: { rootDir: string; outDir: string };
      };
      // tsc keeps each file's path below rootDir under outDir.
      const rootDir = posix.join(project.root, compilerOptions.rootDir);
      const built = posix.join(project.root, compilerOptions.outDir, posix.relative(rootDir, `${project.entryFile}.js`));
      const copied = source!.replaceAll('${APP}', app);
      expect({ app, copied: built.startsWith(`${copied}/`) }).toEqual({ app, copied: true });
      const started = posix.join(target!, posix.relative(copied, built));
      expect({ app, started }).toEqual({ app, started: posix.join(entry!.replaceAll('${APP}', app)) });
    }
  });

  it('builds and runs on a Node major that package.json supports and that is still maintained', () => {
    const majors = [...dockerfile.matchAll(/^FROM node:(\d+)\S* AS \w+$/gm)].map((match) => Number(match[1]));
    const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;
    const supported = [...engines.matchAll(/\^(\d+)\./g)].map((match) => Number(match[1]));
    expect(majors.length).toBeGreaterThan(0);
    for (const major of majors) {
      expect({ major, supported: supported.includes(major) }).toEqual({ major, supported: true });
      // Node 20's maintenance ended in April 2026: the image a deployment runs must not use it.
      expect({ major, endOfLife: major <= 20 }).toEqual({ major, endOfLife: false });
    }
  });
});

