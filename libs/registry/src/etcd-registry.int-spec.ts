import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { TcpProxy, until } from '@agora/testing';
import { EtcdServiceRegistry } from './etcd-registry.js';
import type { Discovery, ServiceInstance } from './service-registry.js';

// A real etcd (scripts/etcd.sh, started for the run, or REGISTRY_ENDPOINTS); every test
// under a prefix of its own.
const endpoints = process.env['REGISTRY_ENDPOINTS']!.split(',');

describe('EtcdServiceRegistry', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const closable of open.splice(0).reverse()) await closable.close();
  });

  function registry(leaseTtlSeconds = 5, prefix = `test-${randomUUID()}/`): EtcdServiceRegistry {
    const opened = new EtcdServiceRegistry({ endpoints, prefix, leaseTtlSeconds });
    open.push(opened);
    prefixes.set(opened, prefix);
    return opened;
  }

  async function discover(of: EtcdServiceRegistry): Promise<Discovery> {
    const discovery = await of.discover();
    open.push(discovery);
    return discovery;
  }

  const prefixes = new WeakMap<EtcdServiceRegistry, string>();
  const prefixOf = (of: EtcdServiceRegistry) => prefixes.get(of)!;

  const instance = (service: string, id: string, port: number, weight = 1): ServiceInstance => ({ service, id, host: '127.0.0.1', port, weight });

  it('lists what was registered before discovery started, and follows what registers and deregisters after', async () => {
    const shared = registry();
    const first = shared.register(instance('order', 'order-a', 4001, 3));
    await first.registered;
    const discovery = await discover(shared);
    expect(discovery.instances()).toEqual([instance('order', 'order-a', 4001, 3)]);

    const seen: string[][] = [];
    discovery.onChange((instances) => seen.push(instances.map((one) => one.id)));
    const second = shared.register(instance('order', 'order-b', 4002, 1));
    shared.register(instance('payment', 'payment-a', 4003));
    await until(() => discovery.instances().length === 3);
    expect(discovery.instances('order')).toEqual([instance('order', 'order-a', 4001, 3), instance('order', 'order-b', 4002, 1)]);
    expect(discovery.instances('payment').map((one) => one.id)).toEqual(['payment-a']);

    // A clean stop removes the instance at once: no waiting for its lease to expire.
    await first.deregister();
    await second.deregister();
    await until(() => discovery.instances('order').length === 0, 2000);
    expect(seen.at(-1)).toEqual(['payment-a']);

    // Closing the registry ends what was registered through it.
    const watching = await discover(registry(5, prefixOf(shared)));
    await shared.close();
    await until(() => watching.instances().length === 0, 2000);
  });

  it('drops an instance whose process was killed once its lease expires', async () => {
    const prefix = `test-${randomUUID()}/`;
    const discovery = await discover(registry(5, prefix));
    // A process of its own holds the registration with a 2 s lease and is then killed:
    // nothing revokes it.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Etcd3 } from 'etcd3';
         const client = new Etcd3({ hosts: ${JSON.stringify(endpoints)} });
         const lease = client.lease(2);
         await lease.put(${JSON.stringify(`${prefix}services/order/doomed`)}).value(${JSON.stringify(JSON.stringify(instance('order', 'doomed', 4010)))});
         console.log('registered');`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
    await until(() => discovery.instances('order').length === 1);
    const killedAt = Date.now();
    child.kill('SIGKILL');

    await until(() => discovery.instances('order').length === 0, 10_000);
    // Not before its TTL: the lease outlived the process as long as etcd promised.
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
  });

  it('keeps a live instance registered past many lease lifetimes', async () => {
    const short = registry(2);
    const registration = short.register(instance('inventory', 'inventory-a', 4020));
    await registration.registered;
    const discovery = await discover(short);
    const removed: number[] = [];
    discovery.onChange((instances) => instances.length === 0 && removed.push(Date.now()));
    // The passing of time is what is tested: three lifetimes of the lease, each renewed in time.
    await sleep(6000);
    expect(removed).toEqual([]);
    expect(discovery.instances()).toEqual([registration.instance]);
    await registration.deregister();
  }, 20_000);

  it('ignores a key under its prefix that is not a registration, and says so', async () => {
    const prefix = `test-${randomUUID()}/`;
    const discovery = await discover(registry(5, prefix));
    const raw = new Etcd3({ hosts: endpoints });
    try {
      await raw.put(`${prefix}services/order/bad`).value('not json');
      await raw.put(`${prefix}services/order/wrong-key`).value(JSON.stringify(instance('order', 'other-id', 4030)));
      await raw.put(`${prefix}services/order/good`).value(JSON.stringify(instance('order', 'good', 4031)));
      await until(() => discovery.instances().length > 0);
      expect(discovery.instances().map((one) => one.id)).toEqual(['good']);
    } finally {
      raw.close();
    }
  });

  it('registers once etcd answers, when it could not be reached at first', async () => {
    // A TCP proxy in front of etcd, frozen at first: the registry does not answer.
    const target = new URL(endpoints[0]!);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 2379) });
    open.push({ close: () => proxy.close() });
    proxy.freeze();
    const prefix = `test-${randomUUID()}/`;
    const behind = new EtcdServiceRegistry({ endpoints: [`http://127.0.0.1:${proxy.port}`], prefix, leaseTtlSeconds: 5 });
    open.push(behind);
    const registration = behind.register(instance('user', 'user-a', 4050));
    let registered = false;
    void registration.registered.then(() => (registered = true));
    const discovery = await discover(registry(5, prefix));
    // Nothing to await: that nothing happens is what is checked.
    await sleep(1000);
    expect(registered).toBe(false);

    proxy.thaw();
    await registration.registered;
    await until(() => discovery.instances('user').length === 1);
    await registration.deregister();
  });

  it('refuses to register an instance with a bad name, port or weight, naming the field', async () => {
    const shared = registry();
    expect(() => shared.register(instance('order', 'has space', 4040))).toThrow(/id/);
    expect(() => shared.register(instance('order', 'order-x', 0))).toThrow(/port/);
    expect(() => shared.register(instance('order', 'order-x', 4041, 0))).toThrow(/weight/);
    expect((await discover(shared)).instances()).toEqual([]);
  });
});

