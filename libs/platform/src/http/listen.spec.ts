import { describe, expect, it } from '@jest/globals';
import { hostUrls, readyBanner } from './listen.js';

describe('the URLs a host announces', () => {
  it('point a browser at localhost when the server binds every address', () => {
    expect(hostUrls('0.0.0.0', 3000)).toEqual({
      api: 'http://localhost:3000/api',
      docs: 'http://localhost:3000/docs',
      graphql: 'http://localhost:3000/graphql',
      health: 'http://localhost:3000/health',
    });
    expect(hostUrls('::', 8080).api).toBe('http://localhost:8080/api');
  });

  it('use a specific address as it is, bracketing IPv6', () => {
    expect(hostUrls('127.0.0.1', 3000).docs).toBe('http://127.0.0.1:3000/docs');
    expect(hostUrls('::1', 3000).health).toBe('http://[::1]:3000/health');
  });

  it('are printed as a short block', () => {
    const banner = readyBanner('Agora shop', hostUrls('0.0.0.0', 3000), ['Sign in as a@b.c']);
    expect(banner).toContain('Agora shop is ready');
    expect(banner).toContain('Docs    http://localhost:3000/docs');
    expect(banner).toContain('GraphQL http://localhost:3000/graphql');
    expect(banner).toContain('  Sign in as a@b.c\n');
  });

  it('leave the REST API out for a host that serves none (the gateway)', () => {
    const urls = hostUrls('0.0.0.0', 3006, { rest: false });
    expect(urls.api).toBeUndefined();
    expect(readyBanner('Agora gateway', urls)).not.toContain('API ');
    expect(readyBanner('Agora gateway', urls)).toContain('    GraphQL http://localhost:3006/graphql\n');
  });

  it('leave GraphQL out for a host that does not serve it', () => {
    const urls = hostUrls('0.0.0.0', 3002, { graphql: false });
    expect(urls.graphql).toBeUndefined();
    expect(readyBanner('Agora order', urls)).not.toContain('GraphQL');
  });

  it('name the operations console only for a host that serves it (the shop)', () => {
    expect(hostUrls('0.0.0.0', 3002).console).toBeUndefined();
    expect(readyBanner('Agora order', hostUrls('0.0.0.0', 3002))).not.toContain('Console');
    expect(readyBanner('Agora shop', hostUrls('0.0.0.0', 3000, { console: true }))).toContain('    Console http://localhost:3000/console\n');
  });
});
