import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { until } from './until.js';

export interface PrometheusTarget {
  /** The job name, the `job` label of what it scrapes. */
  readonly job: string;
  /** What Prometheus scrapes, e.g. `http://127.0.0.1:3001/metrics`. */
  readonly url: string;
}

export interface PrometheusOptions {
  readonly targets: readonly PrometheusTarget[];
  /** Prometheus's duration syntax. Default `1s`. */
  readonly scrapeInterval?: string;
  /** How long to wait for `/-/ready`. Default 30 s. */
  readonly timeoutMs?: number;
}

/** One series of an instant vector. */
export interface PrometheusSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape target as Prometheus sees it (`/api/v1/targets`). */
export interface PrometheusTargetState {
  readonly job: string;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  /** Why the last scrape failed; empty when it did not. */
  readonly lastError: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PrometheusServer {
  readonly url: string;
  /** An instant query; fails unless the result is a vector. */
  query(promql: string): Promise<PrometheusSample[]>;
  targets(): Promise<PrometheusTargetState[]>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/**
 * A real Prometheus (the `prometheus` program, as Debian ships it) for one test, scraping
 * the given targets, with its configuration and storage in a fresh folder.
 *
 * Prometheus hands new targets to its scrapers at most every 5 s, so the first scrape
 * comes about 5 s after the start: poll `query` or `targets` with a timeout above that.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML library needed to write the configuration.
  await writeFile(configFile, JSON.stringify(prometheusConfig(options), null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exit: string | undefined;
  const exited = new Promise<void>((resolveExit) =>
    child.on('close', (code, signal) => {
      exit = signal ? `signal ${signal}` : `code ${code}`;
      resolveExit();
    }),
  );
  child.on('error', (error) => (output += `${error.message}\n`));

  const stop = async (): Promise<void> => {
    if (exit === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await until(async () => {
      if (exit !== undefined) throw new Error(`exited (${exit})`);
      return fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.ok,
        () => false,
      );
    }, options.timeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw new Error(`Prometheus did not start: ${(error as Error).message}\n--- its output ---\n${output.split('\n').slice(-30).join('\n')}`);
  }

  return {
    url,
    query: async (promql) => {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `${url}/api/v1/query?${new URLSearchParams({ query: promql })}`,
      );
      if (data.resultType !== 'vector') throw new Error(`${promql} gives a ${data.resultType}, not a vector`);
      return data.result.map(({ metric, value }) => ({ metric, value: sampleValue(value[1]) }));
    },
    targets: async () => {
      const data = await api<{ activeTargets: (PrometheusTargetState & { scrapePool: string })[] }>(`${url}/api/v1/targets?state=active`);
      return data.activeTargets.map(({ scrapePool, scrapeUrl, health, lastError, labels }) => ({ job: scrapePool, scrapeUrl, health, lastError, labels }));
    },
    stop,
  };
}

function prometheusConfig({ targets, scrapeInterval = '1s' }: PrometheusOptions): object {
  return {
    global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
    scrape_configs: targets.map(({ job, url }) => {
      const target = new URL(url);
      const params: Record<string, string[]> = {};
      for (const [name, value] of target.searchParams) (params[name] ??= []).push(value);
      return {
        job_name: job,
        scheme: target.protocol.slice(0, -1),
        metrics_path: target.pathname,
        ...(Object.keys(params).length ? { params } : {}),
        static_configs: [{ targets: [target.host] }],
      };
    }),
  };
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${url}: ${body.error ?? response.status}`);
  return body.data;
}

/** Prometheus writes sample values as strings, infinities as `+Inf` and `-Inf`. */
function sampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/**
 * Lints a metrics exposition (Prometheus text format) with `promtool check metrics` and
 * returns what it printed. Fails with that output when promtool objects: it exits 1 when
 * it cannot parse the text and 3 when it parses but breaks a convention (a counter
 * without `_total`, a metric without HELP), both of which a scraper's users would meet.
 */
export function promtoolCheckMetrics(exposition: string): Promise<string> {
  return new Promise((resolveCheck, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolveCheck(output);
      const problem = code === 3 ? 'found problems in' : code === 1 ? 'could not parse' : `exited with code ${code} on`;
      reject(new Error(`promtool ${problem} the metrics:\n${output}`));
    });
    // promtool may exit before reading all of a malformed text; its exit code says why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(exposition);
  });
}
