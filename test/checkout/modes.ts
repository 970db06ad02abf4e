import { createTestDatabase, DistributedShop, freePort, HostProcess, type Exit } from '@agora/testing';

// Long enough that no payment under the load of these tests times out by accident.
const TIMEOUTS = { CHECKOUT_PAYMENT_TIMEOUT_MS: '3000', PAYMENT_GATEWAY_LATE_ANSWER_MS: '4000', LOG_LEVEL: 'warn' };

export interface Running {
  /** Where clients go: the host, or the public entry (nginx) in front of the distributed apps. */
  readonly route: string;
  /** Stops everything; resolves with each process's exit. */
  stop(): Promise<readonly Exit[]>;
}

/**
 * The two ways to run the shop, as real processes: HTTP in, PostgreSQL underneath;
 * in-process delivery in the all-in-one host; in the distributed mode the apps over
 * Kafka, registered in etcd, behind the gateway and nginx, as `npm run start:distributed`
 * runs them. The same client, with the same requests, speaks to both. `env` adds to or
 * overrides their configuration.
 */
export const MODES: { readonly mode: string; start(env?: Readonly<Record<string, string>>): Promise<Running> }[] = [
  {
    mode: 'the all-in-one host',
    async start(env = {}) {
      const host = await HostProcess.start({ port: await freePort(), env: { DATABASE_URL: await createTestDatabase('checkout'), ...TIMEOUTS, ...env } });
      return { route: host.url, stop: async () => [await host.stop('SIGTERM')] };
    },
  },
  {
    mode: 'the distributed apps behind nginx',
    async start(env = {}) {
      const apps = await DistributedShop.start({ env: { ...TIMEOUTS, ...env }, registry: {} });
      try {
        const entry = await apps.startEntry();
        return { route: entry.url, stop: async () => [...(await entry.stop()), ...(await apps.stop()).map(({ exit }) => exit)] };
      } catch (error) {
        await apps.stop();
        throw error;
      }
    },
  },
];
