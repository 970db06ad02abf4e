import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CONTRACTS, type Message, type MessageType } from '@agora/contracts';
import { type IntegrationMessage, ContractRegistry } from '@agora/messaging';
import {
  CommandHandler,
  EVENT_STORE,
  PostgresEventStore,
  fold,
  requestContext,
  withMetadata,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@agora/event-sourcing';
import { eventStoreForTest, testBackgroundWork } from '@agora/testing';
import { ReservationAlreadyCommitted, ReservationNotCommittable } from '../domain/errors.js';
import { productDecider, stockIsBalanced, type ListedProduct, type ProductEvent } from '../domain/product.js';
import { reservationDecider, type ReservationEvent } from '../domain/reservation.js';
import { ReadSideModule } from '@agora/projections';
import { AddProductHandler } from '../features/add-product/add-product.handler.js';
import { inventoryReadModel } from '../read-model/inventory-read-model.js';
import { AddStockHandler } from '../features/add-stock/add-stock.handler.js';
import { CommitReservationHandler } from '../features/commit-reservation/commit-reservation.handler.js';
import { ProductStock } from '../features/product-stock.js';
import { ReleaseReservationHandler } from '../features/release-reservation/release-reservation.handler.js';
import { ReserveStockHandler } from '../features/reserve-stock/reserve-stock.handler.js';
import { INVENTORY_WRITE_ATTEMPTS, InventoryModule } from '../inventory.module.js';
import { InventoryCommandsHandler } from './inventory-commands.handler.js';
import { InventoryOutboundMapping } from './inventory-outbound.mapping.js';

/**
 * Passes everything to the real store, except at one chosen append: the process "dies"
 * just before or just after it, or another handler runs just before it.
 */
class CrashingEventStore implements EventStore {
  private appends = 0;
  private trap: { at: number; moment: 'before' | 'after' | (() => Promise<void>) } | undefined;

  constructor(private readonly inner: EventStore) {}

  /** Counts appends from now on; the one numbered `at` (from 0) fails once. */
  crashAt(at: number, moment: 'before' | 'after'): void {
    this.appends = 0;
    this.trap = { at, moment };
  }

  /** Counts appends from now on; `action` runs (its own appends uncounted) just before the one numbered `at`. */
  interleaveAt(at: number, action: () => Promise<void>): void {
    this.appends = 0;
    this.trap = { at, moment: action };
  }

  /** Counts appends from now on, with no trap. */
  count(): () => number {
    this.appends = 0;
    this.trap = undefined;
    return () => this.appends;
  }

  async appendToStream(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const trap = this.trap?.at === this.appends++ ? this.trap : undefined;
    if (trap) this.trap = undefined;
    if (trap?.moment === 'before') throw new Error(`simulated crash before appending to ${stream}`);
    if (typeof trap?.moment === 'function') await trap.moment();
    const result = await this.inner.appendToStream(stream, events, expected);
    if (trap?.moment === 'after') throw new Error(`simulated crash after appending to ${stream}`);
    return result;
  }
  readStream: EventStore['readStream'] = (stream, options) => this.inner.readStream(stream, options);
  readAll: EventStore['readAll'] = (options) => this.inner.readAll(options);
  readByCorrelation: EventStore['readByCorrelation'] = (correlationId, options) => this.inner.readByCorrelation(correlationId, options);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  subscribe: EventStore['subscribe'] = (options, handler) => this.inner.subscribe(options, handler);
  close: EventStore['close'] = () => this.inner.close();
}

describe('inventory’s handling of the saga’s commands (PostgreSQL)', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let crashing: CrashingEventStore;
  let app: TestingModule;
  let inventory: InventoryCommandsHandler;
  const mapping = new InventoryOutboundMapping();
  let run = 0;
  const touched = new Set<string>();

  beforeAll(async () => {
    const db = await eventStoreForTest('inventory_commands', { max: 25 });
    const { url } = db;
    ({ pool, store } = db);
    crashing = new CrashingEventStore(store);
    app = await Test.createTestingModule({
      imports: [{ module: class EventStoreModule {}, global: true, providers: [{ provide: EVENT_STORE, useValue: crashing }], exports: [EVENT_STORE] },
        testBackgroundWork(url),
        ReadSideModule.forRoot({ readModels: [inventoryReadModel], url: () => url }),
        InventoryModule,
      ],
    }).compile();
    await app.init(); // starts the projections
    inventory = app.get(InventoryCommandsHandler);
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
  });

  // No oversell, after every scenario: each product touched balances, and what it says is
  // reserved is exactly what its orders hold.
  afterEach(async () => {
    crashing.count();
    const products = [...touched];
    touched.clear();
    for (const sku of products) {
      const product = await productOf(sku);
      expect(stockIsBalanced(product)).toBe(true);
      const held = [...product.holds.values()].reduce((sum, hold) => sum + hold.quantity, 0);
      expect(held).toBe(product.reserved);
    }
  });

  /**
   * The saga's commands as another instance of the inventory app handles them: its own
   * command handler, which remembers nothing of this one's. Within one instance, commands
   * on a stream take turns, so only another instance can write in the middle of a command.
   */
  function anotherInstance(): InventoryCommandsHandler {
    const commands = new CommandHandler(crashing, { maxAttempts: INVENTORY_WRITE_ATTEMPTS });
    const stock = new ProductStock(commands);
    return new InventoryCommandsHandler(
      new ReserveStockHandler(commands, stock, crashing),
      new ReleaseReservationHandler(commands, stock),
      new CommitReservationHandler(commands, stock),
    );
  }

  /** Skus unique to the running test. */
  function skus<const N extends string[]>(...names: N): { [K in keyof N]: string } {
    run++;
    return names.map((name) => `T${run}-${name}`) as { [K in keyof N]: string };
  }

  async function addProduct(sku: string, initialStock: number): Promise<void> {
    touched.add(sku);
    await app.get(AddProductHandler, { strict: false }).execute({ sku, name: `Product ${sku}`, priceCents: 100, currency: 'EUR', initialStock }, requestContext());
  }

  function message<T extends MessageType>(type: T, data: unknown, correlationId: string = randomUUID()): IntegrationMessage<Message> {
    const metadata = { messageId: randomUUID(), correlationId, causationId: correlationId, occurredAt: new Date().toISOString(), schemaVersion: 1 };
    const parsed = ContractRegistry.of(CONTRACTS).parse({ type, key: String((data as { orderId: string }).orderId), data, metadata });
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.message;
  }
  const reserve = (orderId: string, lines: { sku: string; quantity: number }[]) => message('inventory.reserve-stock.v1', { orderId, lines });
  const release = (orderId: string) => message('inventory.release-reservation.v1', { orderId });
  const commit = (orderId: string) => message('inventory.commit-reservation.v1', { orderId });

  async function productOf(sku: string): Promise<ListedProduct> {
    const product = fold(productDecider, await store.readStream<ProductEvent>(`product-${sku}`));
    if (product.status !== 'listed') throw new Error(`no product ${sku}`);
    return product;
  }
  async function stockOf(sku: string) {
    const { available, reserved, sold } = await productOf(sku);
    return { available, reserved, sold };
  }
  async function reservationOf(orderId: string) {
    return fold(reservationDecider, await store.readStream<ReservationEvent>(`reservation-${orderId}`));
  }
  /** What the saga hears about an order: the integration events the relay would publish. */
  async function heard(orderId: string) {
    const events = await store.readStream(`reservation-${orderId}`);
    return events.flatMap((event) => mapping.map(event)).map(({ type, data }) => ({ type, data }));
  }

  describe('reserving stock', () => {
    it('reserves every line of an order across products', async () => {
      const [mug, cup] = skus('MUG', 'CUP');
      await addProduct(mug, 5);
      await addProduct(cup, 3);
      const orderId = randomUUID();

      await inventory.handle(reserve(orderId, [{ sku: mug, quantity: 2 }, { sku: cup, quantity: 1 }]));

      expect(await heard(orderId)).toEqual([
        { type: 'inventory.stock-reserved.v1', data: { orderId, lines: [{ sku: cup, quantity: 1 }, { sku: mug, quantity: 2 }] } },
      ]);
      expect(await stockOf(mug)).toEqual({ available: 3, reserved: 2, sold: 0 });
      expect(await stockOf(cup)).toEqual({ available: 2, reserved: 1, sold: 0 });
    });

    it('rejects the order naming the short sku, and keeps nothing reserved', async () => {
      const [a, b, c] = skus('A', 'B', 'C');
      await addProduct(a, 5);
      await addProduct(b, 1);
      await addProduct(c, 5);
      const orderId = randomUUID();

      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 2 }, { sku: c, quantity: 1 }]));

      expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-reservation-rejected.v1', data: { orderId, sku: b, reason: 'insufficient-stock' } }]);
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
      expect(await stockOf(b)).toEqual({ available: 1, reserved: 0, sold: 0 });
      expect(await stockOf(c)).toEqual({ available: 5, reserved: 0, sold: 0 });
    });

    it('rejects an order with an unknown sku', async () => {
      const [known, unknown] = skus('KNOWN', 'UNKNOWN');
      await addProduct(known, 5);
      const orderId = randomUUID();

      await inventory.handle(reserve(orderId, [{ sku: known, quantity: 1 }, { sku: unknown, quantity: 1 }]));

      expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-reservation-rejected.v1', data: { orderId, sku: unknown, reason: 'unknown-sku' } }]);
      expect(await stockOf(known)).toEqual({ available: 5, reserved: 0, sold: 0 });
      expect(await store.readStream(`product-${unknown}`)).toEqual([]);
    });

    it('carries the correlation id of the command, which becomes the cause', async () => {
      const [mug] = skus('MUG');
      await addProduct(mug, 1);
      const orderId = randomUUID();
      const command = message('inventory.reserve-stock.v1', { orderId, lines: [{ sku: mug, quantity: 1 }] }, 'checkout-42');

      await inventory.handle(command);

      const written: RecordedEvent[] = [...(await store.readStream(`reservation-${orderId}`)), ...(await store.readStream(`product-${mug}`)).slice(1)];
      expect(written).toHaveLength(3);
      for (const event of written) expect(event.metadata).toMatchObject({ correlationId: 'checkout-42', causationId: command.metadata.messageId });
    });

    it('gives exactly one of 20 concurrent orders each of the 5 units', async () => {
      const [last] = skus('LAST');
      await addProduct(last, 5);
      const orders = Array.from({ length: 20 }, () => randomUUID());

      await Promise.all(orders.map((orderId) => inventory.handle(reserve(orderId, [{ sku: last, quantity: 1 }]))));

      const outcomes = await Promise.all(orders.map(async (orderId) => (await heard(orderId)).map((m) => m.type)));
      expect(outcomes.filter((o) => o.join() === 'inventory.stock-reserved.v1')).toHaveLength(5);
      expect(outcomes.filter((o) => o.join() === 'inventory.stock-reservation-rejected.v1')).toHaveLength(15);
      expect(await stockOf(last)).toEqual({ available: 0, reserved: 5, sold: 0 });
    });

    it('lets one of two orders that want the same two last units in opposite order win, and the other hold nothing', async () => {
      const [x, y] = skus('X', 'Y');
      await addProduct(x, 1);
      await addProduct(y, 1);
      const [first, second] = [randomUUID(), randomUUID()];

      await Promise.all([
        inventory.handle(reserve(first, [{ sku: x, quantity: 1 }, { sku: y, quantity: 1 }])),
        inventory.handle(reserve(second, [{ sku: y, quantity: 1 }, { sku: x, quantity: 1 }])),
      ]);

      const outcomes = [(await heard(first))[0]!.type, (await heard(second))[0]!.type].sort();
      expect(outcomes).toEqual(['inventory.stock-reservation-rejected.v1', 'inventory.stock-reserved.v1']);
      expect(await stockOf(x)).toEqual({ available: 0, reserved: 1, sold: 0 });
      expect(await stockOf(y)).toEqual({ available: 0, reserved: 1, sold: 0 });
    });
  });

  describe('every command delivered twice has one effect', () => {
    it('reserve, then commit', async () => {
      const [a, b] = skus('A', 'B');
      await addProduct(a, 5);
      await addProduct(b, 5);
      const orderId = randomUUID();
      const reservation = reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);

      await inventory.handle(reservation);
      await inventory.handle(reservation);
      expect(await stockOf(a)).toEqual({ available: 3, reserved: 2, sold: 0 });
      expect(await stockOf(b)).toEqual({ available: 4, reserved: 1, sold: 0 });

      const commitment = commit(orderId);
      await inventory.handle(commitment);
      await inventory.handle(commitment);
      expect(await stockOf(a)).toEqual({ available: 3, reserved: 0, sold: 2 });
      expect(await stockOf(b)).toEqual({ available: 4, reserved: 0, sold: 1 });
      expect((await heard(orderId)).map((m) => m.type)).toEqual(['inventory.stock-reserved.v1', 'inventory.stock-sold.v1']);
    });

    it('a rejected reservation', async () => {
      const [a, b] = skus('A', 'B');
      await addProduct(a, 5);
      await addProduct(b, 0);
      const orderId = randomUUID();
      const reservation = reserve(orderId, [{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }]);

      await inventory.handle(reservation);
      // Stock that arrives before the redelivery does not turn the settled rejection around.
      await app.get(AddStockHandler, { strict: false }).execute({ sku: b, quantity: 1 }, requestContext());
      await inventory.handle(reservation);

      expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-reservation-rejected.v1', data: { orderId, sku: b, reason: 'insufficient-stock' } }]);
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
      expect(await stockOf(b)).toEqual({ available: 1, reserved: 0, sold: 0 });
    });

    it('release', async () => {
      const [a] = skus('A');
      await addProduct(a, 5);
      const orderId = randomUUID();
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 3 }]));

      const release1 = release(orderId);
      await inventory.handle(release1);
      await inventory.handle(release1);

      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
      expect((await heard(orderId)).map((m) => m.type)).toEqual(['inventory.stock-reserved.v1', 'inventory.stock-released.v1']);
    });
  });

  describe('a delivery interrupted at any step, then redelivered, ends as if it had not been', () => {
    // Appends of an uninterrupted run: the request, hold A, hold B, accepted.
    const accepting = [0, 1, 2, 3];
    // The request, hold A, hold B, (C is short: nothing appended), rejected, release A, release B.
    const rejecting = [0, 1, 2, 3, 4, 5];

    it('counts the steps it interrupts', async () => {
      const [a, b, c] = skus('A', 'B', 'C');
      await addProduct(a, 5);
      await addProduct(b, 5);
      await addProduct(c, 0);
      let appends = crashing.count();
      await inventory.handle(reserve(randomUUID(), [{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }]));
      expect(appends()).toBe(accepting.length);
      appends = crashing.count();
      await inventory.handle(reserve(randomUUID(), [{ sku: a, quantity: 1 }, { sku: b, quantity: 1 }, { sku: c, quantity: 1 }]));
      expect(appends()).toBe(rejecting.length);
    });

    for (const moment of ['before', 'after'] as const) {
      it.each(accepting)(`an accepted reservation, crashing ${moment} append %i`, async (at) => {
        const [a, b] = skus('A', 'B');
        await addProduct(a, 5);
        await addProduct(b, 5);
        const orderId = randomUUID();
        const command = reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);

        crashing.crashAt(at, moment);
        await expect(inventory.handle(command)).rejects.toThrow('simulated crash');
        await inventory.handle(command);

        expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-reserved.v1', data: { orderId, lines: [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }] } }]);
        expect(await stockOf(a)).toEqual({ available: 3, reserved: 2, sold: 0 });
        expect(await stockOf(b)).toEqual({ available: 4, reserved: 1, sold: 0 });
      });

      it.each(rejecting)(`a rejected reservation, crashing ${moment} append %i`, async (at) => {
        const [a, b, c] = skus('A', 'B', 'C');
        await addProduct(a, 5);
        await addProduct(b, 5);
        await addProduct(c, 0);
        const orderId = randomUUID();
        const command = reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }, { sku: c, quantity: 1 }]);

        crashing.crashAt(at, moment);
        await expect(inventory.handle(command)).rejects.toThrow('simulated crash');
        await inventory.handle(command);

        expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-reservation-rejected.v1', data: { orderId, sku: c, reason: 'insufficient-stock' } }]);
        expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
        expect(await stockOf(b)).toEqual({ available: 5, reserved: 0, sold: 0 });
      });
    }

    it.each([
      ['release', 1],
      ['release', 2],
      ['commit', 1],
      ['commit', 2],
    ] as const)('a %s, crashing before append %i', async (kind, at) => {
      const [a, b] = skus('A', 'B');
      await addProduct(a, 5);
      await addProduct(b, 5);
      const orderId = randomUUID();
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]));
      const command = kind === 'release' ? release(orderId) : commit(orderId);

      // Append 0 records the decision; 1 and 2 are the products.
      crashing.crashAt(at, 'before');
      await expect(inventory.handle(command)).rejects.toThrow('simulated crash');
      await inventory.handle(command);

      const expected = kind === 'release' ? { reserved: 0, sold: 0 } : { reserved: 0, available: 3, sold: 2 };
      expect(await stockOf(a)).toMatchObject(expected);
      expect((await heard(orderId)).map((m) => m.type)).toEqual([
        'inventory.stock-reserved.v1',
        kind === 'release' ? 'inventory.stock-released.v1' : 'inventory.stock-sold.v1',
      ]);
    });
  });

  describe('a release that comes while the reservation is being made wins', () => {
    it('after a crash part-way: the redelivered reservation holds nothing', async () => {
      const [a, b] = skus('A', 'B');
      await addProduct(a, 5);
      await addProduct(b, 5);
      const orderId = randomUUID();
      const command = reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);
      crashing.crashAt(2, 'before'); // a is held, b not yet
      await expect(inventory.handle(command)).rejects.toThrow('simulated crash');

      await inventory.handle(release(orderId));
      await inventory.handle(command);

      expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-released.v1', data: { orderId } }]);
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
      expect(await stockOf(b)).toEqual({ available: 5, reserved: 0, sold: 0 });
    });

    // Appends: 0 the request, 1 hold a, 2 hold b, 3 accepted.
    it.each([1, 2, 3])('while it runs, just before append %i: the reservation gives back what it held', async (at) => {
      const [a, b] = skus('A', 'B');
      await addProduct(a, 5);
      await addProduct(b, 5);
      const orderId = randomUUID();

      crashing.interleaveAt(at, () => anotherInstance().handle(release(orderId)));
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]));

      expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-released.v1', data: { orderId } }]);
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
      expect(await stockOf(b)).toEqual({ available: 5, reserved: 0, sold: 0 });
    });
  });

  describe('a product that has forgotten a settled order never keeps stock for it', () => {
    /** Settles `count` orders of one unit each on the product, with stock added for them: enough to make it forget older ones. */
    async function settleOtherOrders(sku: string, count: number): Promise<void> {
      const events: ProductEvent[] = [{ type: 'inventory.stock-added.v1', data: { sku, quantity: count } }];
      for (let i = 0; i < count; i++) {
        const orderId = randomUUID();
        events.push(
          { type: 'inventory.product-stock-reserved.v1', data: { sku, orderId, quantity: 1 } },
          { type: 'inventory.product-stock-sold.v1', data: { sku, orderId, quantity: 1 } },
        );
      }
      const context = requestContext();
      await store.appendToStream(`product-${sku}`, events.map((event) => withMetadata(event, context, new Date())), 'stream-exists');
    }
    async function holdsMadeFor(orderId: string, sku: string): Promise<number> {
      const events = await store.readStream<ProductEvent>(`product-${sku}`);
      return events.filter((event) => event.type === 'inventory.product-stock-reserved.v1' && event.data.orderId === orderId).length;
    }

    it.each(['commit', 'release'] as const)('a reserve that runs late, after a redelivery reserved and the saga settled (%s) the order, and the product forgot it', async (kind) => {
      const [a, b] = skus('A', 'B');
      await addProduct(a, 5);
      await addProduct(b, 5);
      const orderId = randomUUID();
      const command = reserve(orderId, [{ sku: a, quantity: 2 }, { sku: b, quantity: 1 }]);

      // Appends: 0 the request, 1 hold a, 2 hold b. Just before the late run holds b:
      crashing.interleaveAt(2, async () => {
        const other = anotherInstance();
        await other.handle(command);
        await other.handle(kind === 'commit' ? commit(orderId) : release(orderId));
        await settleOtherOrders(b, 2_100);
      });
      await inventory.handle(command);

      // The late run did hold b again (the product had forgotten the order), and gave it back.
      expect(await holdsMadeFor(orderId, b)).toBe(2);
      if (kind === 'commit') {
        expect(await stockOf(a)).toEqual({ available: 3, reserved: 0, sold: 2 });
        expect(await stockOf(b)).toEqual({ available: 4, reserved: 0, sold: 2_101 });
      } else {
        expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
        expect(await stockOf(b)).toEqual({ available: 5, reserved: 0, sold: 2_100 });
      }
      expect((await heard(orderId)).map((m) => m.type)).toEqual([
        'inventory.stock-reserved.v1',
        kind === 'commit' ? 'inventory.stock-sold.v1' : 'inventory.stock-released.v1',
      ]);
    });

    it('a surplus hold left by a late reserve that crashed is given back by the redelivery', async () => {
      const [a] = skus('A');
      await addProduct(a, 5);
      const orderId = randomUUID();
      const command = reserve(orderId, [{ sku: a, quantity: 2 }]);
      await inventory.handle(command);
      await inventory.handle(commit(orderId));
      // What the late run appended before it crashed: a second hold, after the sale.
      const surplus: ProductEvent = { type: 'inventory.product-stock-reserved.v1', data: { sku: a, orderId, quantity: 2 } };
      await store.appendToStream(`product-${a}`, [withMetadata(surplus, requestContext(), new Date())], 'stream-exists');
      expect(await stockOf(a)).toEqual({ available: 1, reserved: 2, sold: 2 });

      await inventory.handle(command);

      expect(await stockOf(a)).toEqual({ available: 3, reserved: 0, sold: 2 });
    });
  });

  describe('release and commit', () => {
    it('releases a reservation, and refuses to commit it afterwards', async () => {
      const [a] = skus('A');
      await addProduct(a, 5);
      const orderId = randomUUID();
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 4 }]));
      expect(await stockOf(a)).toEqual({ available: 1, reserved: 4, sold: 0 });

      await inventory.handle(release(orderId));
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });

      await expect(inventory.handle(commit(orderId))).rejects.toBeInstanceOf(ReservationNotCommittable);
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
    });

    it('commits a reservation: the goods are sold, and can no longer be released', async () => {
      const [a] = skus('A');
      await addProduct(a, 5);
      const orderId = randomUUID();
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 4 }]));

      await inventory.handle(commit(orderId));
      expect(await stockOf(a)).toEqual({ available: 1, reserved: 0, sold: 4 });

      await expect(inventory.handle(release(orderId))).rejects.toBeInstanceOf(ReservationAlreadyCommitted);
      expect(await stockOf(a)).toEqual({ available: 1, reserved: 0, sold: 4 });
    });

    it('answers a release of a reservation never made, and ignores the reservation that arrives late', async () => {
      const [a] = skus('A');
      await addProduct(a, 5);
      const orderId = randomUUID();

      await inventory.handle(release(orderId));
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 1 }]));

      expect(await heard(orderId)).toEqual([{ type: 'inventory.stock-released.v1', data: { orderId } }]);
      expect(await reservationOf(orderId)).toMatchObject({ status: 'released' });
      expect(await stockOf(a)).toEqual({ available: 5, reserved: 0, sold: 0 });
    });

    it('answers a release of a rejected reservation', async () => {
      const [a] = skus('A');
      await addProduct(a, 0);
      const orderId = randomUUID();
      await inventory.handle(reserve(orderId, [{ sku: a, quantity: 1 }]));
      await inventory.handle(release(orderId));

      expect((await heard(orderId)).map((m) => m.type)).toEqual(['inventory.stock-reservation-rejected.v1', 'inventory.stock-released.v1']);
    });

    it('refuses to commit a reservation never made', async () => {
      await expect(inventory.handle(commit(randomUUID()))).rejects.toBeInstanceOf(ReservationNotCommittable);
    });
  });
});
