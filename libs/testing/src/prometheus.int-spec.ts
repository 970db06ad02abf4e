import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from './free-port.js';
import { promtoolCheckMetrics, startPrometheus, type PrometheusServer } from './prometheus.js';
import { until } from './until.js';

const exposition = (placed: number) => `# HELP orders_placed_total Orders placed.\n# TYPE orders_placed_total counter\norders_placed_total ${placed}\n`;

describe('a Prometheus for a test', () => {
  let placed = 7;
  let app: Server;
  let prometheus: PrometheusServer;
  let deadPort: number;

  beforeAll(async () => {
    app = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(placed)));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const { port } = app.address() as { port: number };
    deadPort = await freePort();
    prometheus = await startPrometheus({
      targets: [
        { job: 'shop', url: `http://127.0.0.1:${port}/metrics` },
        { job: 'gone', url: `http://127.0.0.1:${deadPort}/metrics` },
      ],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => app?.close(resolve));
  });

  const placedSeen = async () => (await prometheus.query('orders_placed_total{job="shop"}'))[0]?.value;

  it('scrapes a counter and follows it as it grows', async () => {
    await until(async () => (await placedSeen()) === 7, 20_000);
    placed = 8;
    await until(async () => (await placedSeen()) === 8, 10_000);
  });

  it('says which target cannot be scraped and why', async () => {
    await until(async () => (await prometheus.targets()).some((target) => target.job === 'gone' && target.health === 'down'), 20_000);
    const targets = await prometheus.targets();
    expect(targets.find((target) => target.job === 'shop')).toMatchObject({ health: 'up', lastError: '' });
    expect(targets.find((target) => target.job === 'gone')?.lastError).toContain('connection refused');
  });

  it('refuses a query that is not PromQL', async () => {
    await expect(prometheus.query('orders_placed_total{')).rejects.toThrow(/parse error/);
  });
});

describe('promtool check metrics', () => {
  it('accepts a well-formed exposition', async () => {
    await expect(promtoolCheckMetrics(exposition(1))).resolves.toBe('');
  });

  it('refuses text that is not an exposition', async () => {
    await expect(promtoolCheckMetrics('orders_placed_total three\n')).rejects.toThrow(/could not parse[\s\S]*expected float as value/);
  });

  it('refuses a counter without HELP or the _total suffix', async () => {
    await expect(promtoolCheckMetrics('# TYPE orders_placed counter\norders_placed 1\n')).rejects.toThrow(
      /found problems[\s\S]*orders_placed counter metrics should have "_total" suffix[\s\S]*orders_placed no help text/,
    );
  });
});
