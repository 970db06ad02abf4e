import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { embeddedServerFolder, freePort, isListening, stopServerHolding, TerminalCommand } from '@agora/testing';
import { ShopClient, type GraphqlAnswer } from '../checkout/shop-client.js';

// `npm run start:distributed` as a developer runs it at a terminal: the whole topology in
// one command, a checkout through its public entry, and Ctrl-C. It reuses the run's Kafka
// and etcd (KAFKA_BROKERS and REGISTRY_ENDPOINTS, set by the tests' setup), under prefixes
// of its own, and runs beside any topology on the usual ports.

/** Every app's usual port plus this. */
const PORT_OFFSET = 21_000;
const APP_PORTS = [3001, 3002, 3003, 3004, 3005, 3006, 3012].map((port) => port + PORT_OFFSET);

describe('npm run start:distributed', () => {
  let folder: { dir: string; dataDir: string } | undefined;
  let command: TerminalCommand | undefined;

  afterAll(async () => {
    command?.killGroup();
    if (folder) {
      await stopServerHolding(folder.dataDir);
      await rm(folder.dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('starts every app, the gateway and nginx, takes a checkout through the entry, and stops it all on Ctrl-C', async () => {
    folder = await embeddedServerFolder('agora-start-distributed-');
    const [edgePort, postgresPort] = [await freePort(), await freePort()];
    const run = randomUUID().slice(0, 8);
    command = TerminalCommand.spawn('npm', ['run', 'start:distributed', '--', '--no-build'], {
      EDGE_PORT: String(edgePort),
      DISTRIBUTED_POSTGRES_PORT: String(postgresPort),
      DISTRIBUTED_PORT_OFFSET: String(PORT_OFFSET),
      DISTRIBUTED_DATA_DIR: folder.dir,
      KAFKA_TOPIC_PREFIX: `sd${run}.`,
      REGISTRY_PREFIX: `sd${run}/`,
      LOG_LEVEL: 'warn',
      DATABASE_URL: undefined,
    });
    await command.waitForOutput('The distributed shop is ready', 180_000);
    const entry = `http://127.0.0.1:${edgePort}`;
    // The table names the entry and every instance.
    for (const url of [`${entry}/api`, `${entry}/graphql`, ...APP_PORTS.map((port) => `http://127.0.0.1:${port}`)]) expect(command.stdout).toContain(url);

    const shop = await ShopClient.signIn(entry);
    const sku = await shop.addProduct(3, 900);
    const orderId = await shop.placeOrder([{ sku, quantity: 2 }]);
    expect(await shop.settled(orderId, 30_000)).toMatchObject({ status: 'CONFIRMED', totalCents: 1800 });
    const answer = await shop.graphql<{ order: { lines: { product: { name: string } }[]; payments: { charges: { status: string }[] } } }>(
      'query($id: ID!) { order(id: $id) { lines { product { name } } payments { charges { status } } } }',
      { id: orderId },
    );
    expect(answer as GraphqlAnswer<unknown>).toEqual({ data: { order: { lines: [{ product: { name: `Product ${sku}` } }], payments: { charges: [{ status: 'captured' }] } } } });

    expect(await command.interrupt(60_000)).toEqual({ code: 0, signal: null });
    expect(command.stdout).toContain('SIGINT: stopping everything');
    expect(command.problemsWhileStopping()).toEqual([]);
    // Nothing it started is left: not nginx, no app, not PostgreSQL.
    for (const port of [edgePort, postgresPort, ...APP_PORTS]) expect({ port, listening: await isListening(port) }).toEqual({ port, listening: false });
  }, 300_000);
});
