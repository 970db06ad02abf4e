import { describe, expect, it } from '@jest/globals';
import { dashboardExprs, dashboardMetricNames, dashboardPanels, promqlMetricNames } from './grafana-dashboard.js';

const target = (expr: string, refId = 'A') => ({ refId, expr, datasource: { type: 'prometheus', uid: 'prom' } });

/** Two panels and a collapsed row holding a third, as Grafana writes them. */
const dashboard = {
  uid: 'small',
  title: 'A small dashboard',
  schemaVersion: 41,
  panels: [
    {
      id: 1,
      type: 'timeseries',
      title: 'Time to outcome',
      targets: [
        target('histogram_quantile(0.99, sum by (le, outcome) (rate(shop_saga_duration_seconds_bucket{saga="checkout", app=~"$app"}[$__rate_interval])))'),
        target('sum by (outcome, reason) (rate(shop_saga_outcomes_total{saga="checkout"}[5m]))', 'B'),
      ],
    },
    { id: 2, type: 'text', title: 'Notes', options: { content: 'no queries here' } },
    {
      id: 3,
      type: 'row',
      title: 'Dependencies',
      collapsed: true,
      panels: [{ id: 4, type: 'timeseries', title: 'Breakers', targets: [target('max by (target) (shop_circuit_breaker_state)'), { refId: 'B', expr: '  ' }] }],
    },
  ],
};

describe('dashboardMetricNames', () => {
  it('names the metrics of every panel, rows’ panels too, as written, once each', () =>
    expect(dashboardMetricNames(dashboard)).toEqual(['shop_circuit_breaker_state', 'shop_saga_duration_seconds_bucket', 'shop_saga_outcomes_total']));

  it('refuses what is not a dashboard', () => {
    expect(() => dashboardMetricNames({ title: 'no panels' })).toThrow(/no "panels"/);
    expect(() => dashboardMetricNames([])).toThrow(/no "panels"/);
  });

  it('lists the panels and their non-empty queries in the order of the file', () => {
    expect(dashboardPanels(dashboard).map((panel) => panel.id)).toEqual([1, 2, 3, 4]);
    expect(dashboardExprs(dashboard)).toHaveLength(3);
  });
});

describe('promqlMetricNames', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['a selector with labels and a range', 'rate(http_requests_total{job="api", path=~"/x{1,2}|metric_in_a_string"}[5m])', ['http_requests_total']],
    ['an aggregation with its grouping before', 'sum by (le, route) (rate(http_seconds_bucket[1m]))', ['http_seconds_bucket']],
    ['an aggregation with its grouping after', 'sum(rate(http_seconds_count[1m])) without (instance, pod)', ['http_seconds_count']],
    ['keywords in any case', 'SUM BY (job) (a_total) / ON (job) GROUP_LEFT (team) b_info OR vector(0) unless c_gauge > BOOL 1', ['a_total', 'b_info', 'c_gauge']],
    ['numbers, durations and an offset', 'a_total offset 1h30m > 1e3 and b_total - 0x1f < .5 and c_total > Inf', ['a_total', 'b_total', 'c_total']],
    ['strings of every kind', 'label_replace(a_total, "dst", \'$1 not_a_metric\', `src`, "(.*)")', ['a_total']],
    ['Grafana variables outside braces', 'topk($k, a_total) > ${threshold} + $__interval_ms', ['a_total']],
    ['a subquery and a modifier', 'max_over_time(rate(a_total[1m])[1h:5m] @ end())', ['a_total']],
    ['a recording rule’s name, and a comment', 'job:a:rate5m # then b_total', ['job:a:rate5m']],
    ['the same metric twice', 'a_total / a_total', ['a_total']],
    ['no metric at all', 'vector(1) + time()', []],
  ])('%s', (_case, expr, names) => expect(promqlMetricNames(expr)).toEqual(names));
});
