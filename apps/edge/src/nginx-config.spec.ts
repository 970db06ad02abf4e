import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderNginxConfig, servicesRoutedBy } from './nginx-config.js';

const template = readFileSync('deploy/nginx/agora.conf.template', 'utf8');
const order = (id: string, port: number, weight: number) => ({ service: 'order', id, host: '127.0.0.1', port, weight });

describe('the nginx configuration rendered from the registry', () => {
  it('has an upstream for every service the template routes to, the gateway included', () => {
    expect(servicesRoutedBy(template)).toEqual(['gateway', 'inventory', 'order', 'payment', 'recommendation', 'user']);
  });

  it('lists each registered instance with its weight and passive health checks', () => {
    const rendered = renderNginxConfig(template, [order('order-a', 3102, 3), order('order-b', 3202, 1)], { host: '127.0.0.1', port: 8080 });
    const upstream = rendered.slice(rendered.indexOf('upstream order {'), rendered.indexOf('}', rendered.indexOf('upstream order {')));
    expect(upstream).toContain('server 127.0.0.1:3102 weight=3 max_fails=2 fail_timeout=5s; # order-a');
    expect(upstream).toContain('server 127.0.0.1:3202 weight=1 max_fails=2 fail_timeout=5s; # order-b');
    expect(rendered).toContain('listen 127.0.0.1:8080;');
  });

  it('gives a service without instances a server that is always down, so nginx still starts and answers 503', () => {
    const rendered = renderNginxConfig(template, [], { host: '0.0.0.0', port: 8080 });
    for (const service of servicesRoutedBy(template)) expect(rendered).toMatch(new RegExp(`upstream ${service} \\{\\n    server 127\\.0\\.0\\.1:1 down;`));
  });

  it('brackets IPv6 addresses, and keeps placeholders named in comments as they are', () => {
    const rendered = renderNginxConfig(template, [{ service: 'user', id: 'user-6', host: '::1', port: 3001, weight: 1 }], { host: '::', port: 8080 });
    expect(rendered).toContain('server [::1]:3001 weight=1');
    expect(rendered).toContain('listen [::]:8080;');
    expect(rendered).toContain('#   {{upstreams}}');
  });

  it('refuses a template with a placeholder it does not know', () => {
    expect(() => renderNginxConfig('listen {{port}};', [], { host: '127.0.0.1', port: 1 })).toThrow('unknown placeholder {{port}}');
  });
});
