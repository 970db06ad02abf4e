import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '@agora/platform';
import { dashboardExprs, dashboardMetricNames, dashboardPanels } from '@agora/testing';
import { parse } from 'yaml';

// Prometheus, Grafana and Jaeger of docker-compose.yml, checked without Docker: the files
// they are given parse (Prometheus's with Debian's real promtool), and what each names is
// a service of the compose file, a file of the repository, or a metric of the apps.

interface Service {
  image?: string;
  build?: { args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
}
interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  scheme?: string;
  scrape_interval?: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
}

const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';
const GRAFANA_PROVISIONING = 'deploy/grafana/provisioning';

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = Object.entries(compose.services);
/** The services that run a Nest app built from the Dockerfile, with the app's name. */
const apps = services.flatMap(([name, service]) => (service.build?.args?.['APP'] ? [{ name, app: service.build.args['APP'], service }] : []));
/** All but the edge serve /metrics: the edge's process runs nginx and no HTTP server of its own. */
const metricsApps = apps.filter(({ app }) => app !== 'edge');
const portOf = (service: Service) => parseConfig(service.environment ?? {}).PORT;

/** `./deploy/x:/etc/x:ro` → { source: 'deploy/x', target: '/etc/x', readOnly: true }; a named volume has no `./`. */
const mounts = (service: Service) =>
  (service.volumes ?? []).map((volume) => {
    const [source = '', target = '', mode] = volume.split(':');
    return { source: source.startsWith('./') ? posix.normalize(source) : source, bind: source.startsWith('./'), target, readOnly: mode === 'ro' };
  });
const mountOf = (service: Service, target: string) => mounts(service).find((mount) => mount.target === target);
const publishedPorts = (service: Service) =>
  (service.ports ?? []).map((mapping) => {
    const [host, container] = mapping.split(':').slice(-2).map(Number);
    return { host, container };
  });
const imageOf = (name: string) => {
  const image = compose.services[name]?.image ?? '';
  const [repository = '', tag = ''] = image.split(':');
  return { repository, tag };
};

const prometheus = parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as { global?: { scrape_interval?: string }; scrape_configs: ScrapeConfig[] };

const yamlFilesIn = (dir: string) => readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)).map((file) => parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>);
const datasources = yamlFilesIn(join(GRAFANA_PROVISIONING, 'datasources')).flatMap((file) => {
  expect(file['apiVersion']).toBe(1);
  return file['datasources'] as { name: string; uid?: string; type: string; url: string }[];
});
const providers = yamlFilesIn(join(GRAFANA_PROVISIONING, 'dashboards')).flatMap((file) => {
  expect(file['apiVersion']).toBe(1);
  return file['providers'] as { name: string; type: string; options: { path: string } }[];
});
const grafana = compose.services['grafana'] ?? {};
/** The dashboard files of every provider, through the compose file's mount of its folder. */
const dashboards = providers.flatMap(({ options }) => {
  const mount = mountOf(grafana, options.path);
  if (!mount) return [];
  return readdirSync(mount.source)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file: join(mount.source, file), json: JSON.parse(readFileSync(join(mount.source, file), 'utf8')) as Record<string, unknown> }));
});

/** Every `datasource` property anywhere in a dashboard: panels, queries, variables. */
function datasourceReferences(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(datasourceReferences);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === 'datasource' ? [inner] : datasourceReferences(inner)));
}

/** The metric names the apps declare: `name: 'agora_…'` in their prom-client metrics. */
function declaredMetrics(): Set<string> {
  const sources = (readdirSync('libs', { recursive: true }) as string[]).filter((file) => file.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(file));
  return new Set(sources.flatMap((file) => [...readFileSync(join('libs', file), 'utf8').matchAll(/\bname: '(agora_[a-z0-9_]+)'/g)].map((match) => match[1]!)));
}

/** What Debian's promtool (package prometheus) prints; fails with its output when it objects. */
async function promtool(...args: string[]): Promise<string> {
  try {
    return (await promisify(execFile)('promtool', args)).stdout;
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error("promtool is not installed: Debian's package prometheus has it");
    throw new Error(`promtool ${args.join(' ')} refused:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('deploy/prometheus/prometheus.yml', () => {
  it('passes promtool check config', async () => {
    expect(await promtool('check', 'config', PROMETHEUS_CONFIG)).toContain('SUCCESS');
  });

  it('scrapes /metrics of every app of docker-compose.yml that serves it, one job per service, on the port it listens on, every 15 s', () => {
    expect(prometheus.global?.scrape_interval).toBe('15s');
    const scraped = prometheus.scrape_configs.flatMap((job) => {
      expect({ job: job.job_name, path: job.metrics_path, scheme: job.scheme ?? 'http', interval: job.scrape_interval }).toEqual({
        job: job.job_name,
        path: '/metrics',
        scheme: 'http',
        interval: undefined,
      });
      return (job.static_configs ?? []).flatMap(({ targets, labels }) => targets.map((target) => ({ job: job.job_name, target, app: labels?.['app'] })));
    });
    for (const { job, target, app } of scraped) {
      const [host = '', port] = target.split(':');
      const service = metricsApps.find(({ name }) => name === host);
      expect({ job, host, isAppService: service !== undefined }).toEqual({ job, host, isAppService: true });
      // Named after the service, labelled with its app (both order instances are app order).
      expect({ job, port: Number(port), app }).toEqual({ job: host, port: portOf(service!.service), app: service!.app });
    }
    expect(scraped.map(({ job }) => job).sort()).toEqual(metricsApps.map(({ name }) => name).sort());
  });
});

describe('the observability services of docker-compose.yml', () => {
  it('runs Prometheus 2 or 3, Grafana and Jaeger from pinned images', () => {
    expect(imageOf('prometheus')).toEqual({ repository: 'prom/prometheus', tag: expect.stringMatching(/^v[23]\.\d+\.\d+$/) });
    expect(imageOf('grafana')).toEqual({ repository: 'grafana/grafana', tag: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    const jaeger = imageOf('jaeger');
    expect(`${jaeger.repository}:${jaeger.tag}`).toMatch(/^(cr\.jaegertracing\.io\/)?(jaegertracing\/all-in-one:1|jaegertracing\/jaeger:2)\.\d+\.\d+$/);
  });

  it('mounts into them files of the repository, read-only, and volumes it declares', () => {
    for (const name of ['prometheus', 'grafana', 'jaeger']) {
      for (const mount of mounts(compose.services[name]!)) {
        if (mount.bind) expect({ name, ...mount, exists: existsSync(mount.source) }).toEqual({ name, ...mount, readOnly: true, exists: true });
        else expect({ name, volume: mount.source, declared: mount.source in (compose.volumes ?? {}) }).toEqual({ name, volume: mount.source, declared: true });
      }
    }
    expect(mountOf(compose.services['prometheus']!, '/etc/prometheus/prometheus.yml')?.source).toBe(PROMETHEUS_CONFIG);
    expect(statSync(PROMETHEUS_CONFIG).isFile()).toBe(true);
    expect(mountOf(grafana, '/etc/grafana/provisioning')?.source).toBe(GRAFANA_PROVISIONING);
  });

  it('publishes Prometheus’s, Grafana’s and Jaeger’s UIs, and Jaeger’s OTLP over HTTP, on host ports no other service takes', () => {
    expect(publishedPorts(compose.services['prometheus']!)).toContainEqual({ host: expect.any(Number), container: 9090 });
    expect(publishedPorts(grafana)).toContainEqual({ host: expect.any(Number), container: 3000 });
    expect(publishedPorts(compose.services['jaeger']!)).toEqual(expect.arrayContaining([{ host: 16686, container: 16686 }, { host: 4318, container: 4318 }]));
    const hostPorts = services.flatMap(([, service]) => publishedPorts(service).map(({ host }) => host));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('has every app, the edge and the gateway too, export its traces to Jaeger over OTLP/HTTP', () => {
    expect(apps.map(({ app }) => app)).toEqual(expect.arrayContaining(['edge', 'gateway']));
    for (const { name, service } of apps) {
      const env = service.environment ?? {};
      expect({ name, endpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'], protocol: env['OTEL_EXPORTER_OTLP_PROTOCOL'] }).toEqual({
        name,
        endpoint: 'http://jaeger:4318',
        protocol: 'http/protobuf',
      });
    }
  });
});

describe('Grafana’s provisioning (deploy/grafana/)', () => {
  const [datasource] = datasources;

  it('provisions one datasource under a fixed uid: the Prometheus of the compose file', () => {
    expect(datasources).toHaveLength(1);
    expect(datasource).toMatchObject({ type: 'prometheus', uid: expect.stringMatching(/^[a-z0-9-]+$/) });
    const url = new URL(datasource!.url);
    expect({ host: url.hostname, port: Number(url.port) }).toEqual({ host: 'prometheus', port: publishedPorts(compose.services['prometheus']!)[0]!.container });
  });

  it('provisions the dashboards of the folder the compose file mounts, the home dashboard among them', () => {
    expect(providers.length).toBeGreaterThan(0);
    for (const { name, type, options } of providers) {
      expect({ name, type, mounted: mountOf(grafana, options.path)?.source }).toEqual({ name, type: 'file', mounted: 'deploy/grafana/dashboards' });
    }
    expect(dashboards.map(({ file }) => file)).toContain('deploy/grafana/dashboards/agora-checkout.json');
    const home = grafana.environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'];
    expect(providers.some(({ options }) => home?.startsWith(`${options.path}/`) && existsSync(join(mountOf(grafana, options.path)!.source, home.slice(options.path.length))))).toBe(true);
  });

  it('gives each dashboard a fixed uid and a recent schema, and names no datasource but the provisioned one', () => {
    const uids = dashboards.map(({ json }) => json['uid']);
    expect(new Set(uids).size).toBe(dashboards.length);
    for (const { file, json } of dashboards) {
      expect({ file, uid: json['uid'], schemaVersion: json['schemaVersion'] }).toEqual({ file, uid: expect.stringMatching(/^[a-z0-9-]+$/), schemaVersion: expect.any(Number) });
      // Grafana 11 writes 39 and 40, 12 writes 41 and on.
      expect(json['schemaVersion']).toBeGreaterThanOrEqual(39);
      const references = datasourceReferences(json);
      expect(references.length).toBeGreaterThan(0);
      for (const reference of references) expect({ file, reference }).toEqual({ file, reference: { type: 'prometheus', uid: datasource!.uid } });
    }
  });

  it('gives every panel but a row a query with PromQL', () => {
    for (const { file, json } of dashboards) {
      for (const panel of dashboardPanels(json).filter(({ type }) => type !== 'row')) {
        const exprs = (panel.targets ?? []).map((target) => target.expr?.trim()).filter(Boolean);
        expect({ file, panel: panel.title, queries: exprs.length > 0 }).toEqual({ file, panel: panel.title, queries: true });
      }
    }
  });

  it('writes PromQL that promtool parses, with Grafana’s variables given values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agora-dashboard-promql-'));
    try {
      const exprs = dashboards.flatMap(({ json }) => dashboardExprs(json));
      const rules = exprs.map((expr, index) => ({
        record: `dashboard:query:${index}`,
        // $__rate_interval and its kind are durations; $app and the like stand inside a regex matcher.
        expr: expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{?\w+\}?/g, '.+'),
      }));
      // JSON is YAML.
      writeFileSync(join(dir, 'rules.yml'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      expect(await promtool('check', 'rules', join(dir, 'rules.yml'))).toContain(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes rates of counters only, and quantiles of histogram buckets summed by le', () => {
    for (const expr of dashboards.flatMap(({ json }) => dashboardExprs(json))) {
      for (const [, metric] of expr.matchAll(/\b(?:rate|irate|increase)\(\s*([A-Za-z_:][\w:]*)/g)) {
        expect({ expr, counter: /_(total|bucket|count|sum)$/.test(metric!) }).toEqual({ expr, counter: true });
      }
      if (!expr.includes('histogram_quantile(')) continue;
      const grouping = /histogram_quantile\(\s*[\d.]+\s*,\s*sum\s+by\s*\(([^)]*)\)/.exec(expr)?.[1]?.split(',').map((label) => label.trim());
      expect({ expr, grouping }).toEqual({ expr, grouping: expect.arrayContaining(['le']) });
      expect({ expr, buckets: [...expr.matchAll(/\b(agora_\w+)\{/g)].every(([, metric]) => metric!.endsWith('_bucket')) }).toEqual({ expr, buckets: true });
    }
  });

  it('asks only for metrics the apps declare (a histogram’s as its _bucket, _count or _sum)', () => {
    const declared = declaredMetrics();
    for (const { file, json } of dashboards) {
      for (const metric of dashboardMetricNames(json)) {
        const base = metric.replace(/_(bucket|count|sum)$/, '');
        expect({ file, metric, declared: declared.has(metric) || declared.has(base) }).toEqual({ file, metric, declared: true });
      }
    }
  });
});
