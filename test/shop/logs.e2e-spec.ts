import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestDatabase, freePort, HostProcess } from '@agora/testing';

/**
 * What a host prints: readable lines for a developer at a terminal, JSON for machines,
 * and at the default level neither has a line per mapped route. The banner stays.
 */
describe('the log lines of a host', () => {
  let host: HostProcess | undefined;

  afterEach(async () => {
    expect(await host?.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    host = undefined;
  }, 30_000);

  const start = async (env: Record<string, string>) =>
    (host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('host_logs'), ...env } }));

  it('are readable lines with LOG_FORMAT=pretty, without one per mapped route', async () => {
    const { stdout } = await start({ LOG_FORMAT: 'pretty' });
    const lines = logLines(stdout);
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Http\] Agora shop is listening on /));
    expect(lines.filter((line) => line.includes('Mapped {'))).toEqual([]);
    expect(stdout).toContain('Agora shop is ready');
  }, 60_000);

  it('are JSON objects with LOG_FORMAT=json, the mapped routes at debug', async () => {
    const { stdout } = await start({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
    const entries = logLines(stdout).map((line) => JSON.parse(line) as { level: number; msg: string });
    const routes = entries.filter((entry) => /^Mapped \{/.test(entry.msg));
    expect(routes.length).toBeGreaterThan(10);
    expect(new Set(routes.map((entry) => entry.level))).toEqual(new Set([20]));
    expect(entries).toContainEqual(expect.objectContaining({ level: 30, msg: expect.stringMatching(/^Agora shop is listening on /) }));
    expect(stdout).toContain('Agora shop is ready');
  }, 60_000);

  it('say of a request what it was, how it ended and how large the answer was, with no header but its user agent', async () => {
    const host = await start({ LOG_FORMAT: 'json' });
    const answer = await fetch(`${host.url}/api/products`, { headers: { authorization: 'Bearer not-a-token', 'user-agent': 'log-test/1' } });
    expect(answer.headers.get('content-security-policy')).not.toBeNull();
    const line = await host.waitForLog((entry) => (entry.req as { url?: string } | undefined)?.url === '/api/products');
    expect(line.req).toEqual({ method: 'GET', url: '/api/products', remoteAddress: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'log-test/1' });
    expect(line.res).toEqual({ statusCode: answer.status, contentLength: answer.headers.get('content-length') });
    expect(JSON.stringify(line)).not.toMatch(/content-security-policy|not-a-token/i);
  }, 60_000);

  it('are JSON objects when stdout is not a terminal and LOG_FORMAT is unset, without one per mapped route', async () => {
    const { stdout } = await start({ LOG_FORMAT: '' });
    const entries = logLines(stdout).map((line) => JSON.parse(line) as { msg: string });
    expect(entries.filter((entry) => entry.msg.includes('Mapped {'))).toEqual([]);
    expect(entries.length).toBeGreaterThan(0);
  }, 60_000);
});

/** Stdout without the banner (from "… is ready" to "Ctrl-C stops it.") and blank lines. */
function logLines(stdout: string): string[] {
  const lines = stdout.split('\n');
  const first = lines.findIndex((line) => line.endsWith(' is ready'));
  const last = lines.findIndex((line) => line.includes('Ctrl-C stops it.'));
  expect(first).toBeGreaterThan(-1);
  expect(last).toBeGreaterThan(first);
  return [...lines.slice(0, first), ...lines.slice(last + 1)].filter((line) => line.trim() !== '');
}
