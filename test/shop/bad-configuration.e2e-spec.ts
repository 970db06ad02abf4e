import { describe, expect, it } from '@jest/globals';
import { freePort, HostProcess } from '@agora/testing';

describe('the shop host with a bad configuration', () => {
  it('exits with code 1 and one line per bad variable, without a stack trace', async () => {
    // `env` wins over the port the helper passes.
    const host = HostProcess.spawn({ port: 0, env: { PORT: 'abc', EVENT_STORE: 'mysql', DATABASE_URL: undefined } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe(
      [
        'Invalid configuration: PORT must be an integer from 1 to 65535 (got "abc")',
        'Invalid configuration: EVENT_STORE must be one of postgres, esdb (got "mysql")',
        '',
      ].join('\n'),
    );
    expect(host.stdout).toBe('');
  }, 30_000);

  it('requires EVENTSTORE_URL with EVENT_STORE=esdb', async () => {
    const host = HostProcess.spawn({ port: await freePort(), env: { EVENT_STORE: 'esdb', EVENTSTORE_URL: undefined, DATABASE_URL: undefined } });
    expect(await host.exited).toEqual({ code: 1, signal: null });
    expect(host.stderr).toBe('Invalid configuration: EVENTSTORE_URL is required when EVENT_STORE=esdb (an esdb:// or esdb+discover:// URL)\n');
  }, 30_000);
});
