import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CONTRACTS, type Message } from '@agora/contracts';
import { type IntegrationMessage, ContractRegistry } from '@agora/messaging';
import { readSideForTest, type ReadSideForTest } from '../../../testing/src/read-models.js';
import { Recommendations } from '../features/recommendations.js';
import { CoPurchaseRow } from '../read-model/co-purchase.row.js';
import { CustomerPurchaseRow } from '../read-model/customer-purchase.row.js';
import { HandledMessageRow } from '../read-model/handled-message.row.js';
import { recommendationReadModel } from '../read-model/recommendation-read-model.js';
import { RecommendationOrdersHandler } from './recommendation-orders.handler.js';

describe('recommendation’s handling of confirmed orders (PostgreSQL)', () => {
  let side: ReadSideForTest;
  let readModels: DataSource;
  let handler: RecommendationOrdersHandler;
  let recommendations: Recommendations;
  let run = 0;

  beforeAll(async () => {
    side = await readSideForTest('recommendation', recommendationReadModel);
    readModels = side.readModels;
    handler = new RecommendationOrdersHandler(readModels);
    recommendations = new Recommendations(readModels);
  });
  afterAll(() => side.close());

  /** Skus and a customer unique to the running test: every test shares the database. */
  function names<const N extends string[]>(...skus: N): { customer: string; skus: { [K in keyof N]: string } } {
    run++;
    return { customer: `customer-${run}`, skus: skus.map((sku) => `T${run}-${sku}`) as { [K in keyof N]: string } };
  }

  function confirmed(customerId: string, lines: [sku: string, quantity: number][]): IntegrationMessage<Message<'order.order-confirmed.v1'>> {
    const orderId = randomUUID();
    const data = { orderId, customerId, lines: lines.map(([sku, quantity]) => ({ sku, quantity, unitPriceCents: 100 })), totalCents: 100 * lines.length, currency: 'EUR' };
    const metadata = { messageId: randomUUID(), correlationId: orderId, causationId: orderId, occurredAt: new Date().toISOString(), schemaVersion: 1 };
    const parsed = ContractRegistry.of(CONTRACTS).parse({ type: 'order.order-confirmed.v1', key: orderId, data, metadata });
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.message as IntegrationMessage<Message<'order.order-confirmed.v1'>>;
  }

  async function purchasesOf(customerId: string) {
    const rows = await readModels.getRepository(CustomerPurchaseRow).find({ where: { customerId }, order: { sku: 'ASC' } });
    return rows.map(({ sku, quantity, orders }) => ({ sku, quantity, orders }));
  }
  /** Every co-purchase row among these skus, as `A>B: count`. */
  async function coPurchasesOf(skus: readonly string[]) {
    const rows = await readModels.getRepository(CoPurchaseRow).find({ order: { sku: 'ASC', otherSku: 'ASC' } });
    return Object.fromEntries(rows.filter((row) => skus.includes(row.sku)).map((row) => [`${row.sku}>${row.otherSku}`, row.count]));
  }

  describe('keeping the statistics', () => {
    it('records each customer’s purchases and every pair bought together, in both directions', async () => {
      const {
        skus: [mug, tea, cup, pen],
      } = names('MUG', 'TEA', 'CUP', 'PEN');
      const [alice, bob] = [`alice-${run}`, `bob-${run}`];

      await handler.handle(confirmed(alice, [[mug, 2], [tea, 1]]));
      await handler.handle(confirmed(alice, [[mug, 1], [cup, 3], [mug, 4]]));
      await handler.handle(confirmed(bob, [[tea, 5], [mug, 1], [cup, 1]]));
      await handler.handle(confirmed(bob, [[pen, 1]]));

      expect(await purchasesOf(alice)).toEqual([
        { sku: cup, quantity: 3, orders: 1 },
        { sku: mug, quantity: 7, orders: 2 },
        { sku: tea, quantity: 1, orders: 1 },
      ]);
      expect(await purchasesOf(bob)).toEqual([
        { sku: cup, quantity: 1, orders: 1 },
        { sku: mug, quantity: 1, orders: 1 },
        { sku: pen, quantity: 1, orders: 1 },
        { sku: tea, quantity: 5, orders: 1 },
      ]);
      expect(await coPurchasesOf([mug, tea, cup, pen])).toEqual({
        [`${cup}>${mug}`]: 2,
        [`${cup}>${tea}`]: 1,
        [`${mug}>${cup}`]: 2,
        [`${mug}>${tea}`]: 2,
        [`${tea}>${cup}`]: 1,
        [`${tea}>${mug}`]: 2,
      });
    });

    it('has one effect for a message delivered twice, one after the other or at the same time', async () => {
      const {
        customer,
        skus: [a, b],
      } = names('A', 'B');
      const first = confirmed(customer, [[a, 2], [b, 1]]);
      const second = confirmed(customer, [[a, 1], [b, 1]]);

      await handler.handle(first);
      await handler.handle(first);
      await Promise.all([handler.handle(second), handler.handle(second)]);

      expect(await purchasesOf(customer)).toEqual([
        { sku: a, quantity: 3, orders: 2 },
        { sku: b, quantity: 2, orders: 2 },
      ]);
      expect(await coPurchasesOf([a, b])).toEqual({ [`${a}>${b}`]: 2, [`${b}>${a}`]: 2 });
      const inbox = await readModels.getRepository(HandledMessageRow).findBy([{ messageId: first.metadata.messageId }, { messageId: second.metadata.messageId }]);
      expect(inbox).toHaveLength(2);
      for (const row of inbox) expect(row.handledAt).toBeInstanceOf(Date);
    });

    it('has one effect for each of many orders delivered twice, all at the same time', async () => {
      const {
        customer,
        skus: [a, b, c],
      } = names('A', 'B', 'C');
      const orders = Array.from({ length: 10 }, (_, i) => confirmed(customer, i % 2 === 0 ? [[a, 1], [b, 2]] : [[b, 1], [c, 1], [a, 1]]));

      await Promise.all([...orders, ...orders].map((message) => handler.handle(message)));

      expect(await purchasesOf(customer)).toEqual([
        { sku: a, quantity: 10, orders: 10 },
        { sku: b, quantity: 15, orders: 10 },
        { sku: c, quantity: 5, orders: 5 },
      ]);
      expect(await coPurchasesOf([a, b, c])).toEqual({
        [`${a}>${b}`]: 10,
        [`${a}>${c}`]: 5,
        [`${b}>${a}`]: 10,
        [`${b}>${c}`]: 5,
        [`${c}>${a}`]: 5,
        [`${c}>${b}`]: 5,
      });
    });

    it('loses no increment of 20 orders applied concurrently', async () => {
      const {
        skus: [a, b, c, d],
      } = names('A', 'B', 'C', 'D');
      const customers = [`x-${run}`, `y-${run}`];
      // Every order has a, b and c, in varying line order; every fourth also has d.
      const orders = Array.from({ length: 20 }, (_, i) => {
        const lines: [string, number][] = i % 2 === 0 ? [[a, 1], [b, 2], [c, 3]] : [[c, 3], [a, 1], [b, 2]];
        if (i % 4 === 0) lines.push([d, 1]);
        return confirmed(customers[i % 2]!, lines);
      });

      await Promise.all(orders.map((message) => handler.handle(message)));

      expect(await purchasesOf(customers[0]!)).toEqual([
        { sku: a, quantity: 10, orders: 10 },
        { sku: b, quantity: 20, orders: 10 },
        { sku: c, quantity: 30, orders: 10 },
        { sku: d, quantity: 5, orders: 5 },
      ]);
      expect(await purchasesOf(customers[1]!)).toEqual([
        { sku: a, quantity: 10, orders: 10 },
        { sku: b, quantity: 20, orders: 10 },
        { sku: c, quantity: 30, orders: 10 },
      ]);
      const pairs = await coPurchasesOf([a, b, c, d]);
      for (const [x, y] of [[a, b], [a, c], [b, c]] as const) {
        expect(pairs[`${x}>${y}`]).toBe(20);
        expect(pairs[`${y}>${x}`]).toBe(20);
      }
      for (const x of [a, b, c]) {
        expect(pairs[`${x}>${d}`]).toBe(5);
        expect(pairs[`${d}>${x}`]).toBe(5);
      }
      expect(Object.keys(pairs)).toHaveLength(12);
    });

    it('applies orders that arrive while a statement is under way together, and a message that fails only fails its own delivery', async () => {
      const {
        skus: [a, b, c, d],
      } = names('A', 'B', 'C', 'D');
      let statements = 0;
      const counting = new RecommendationOrdersHandler({ query: (...args: Parameters<DataSource['query']>) => (statements++, readModels.query(...args)) } as DataSource);
      const customers = Array.from({ length: 10 }, (_, i) => `together-${run}-${i}`);
      await Promise.all(customers.map((customer) => counting.handle(confirmed(customer, [[a, 1], [b, 2]]))));
      expect(statements).toBe(2); // the first alone, the nine that came meanwhile in one
      expect(await coPurchasesOf([a, b])).toEqual({ [`${a}>${b}`]: 10, [`${b}>${a}`]: 10 });
      for (const customer of customers) expect(await purchasesOf(customer)).toEqual([{ sku: a, quantity: 1, orders: 1 }, { sku: b, quantity: 2, orders: 1 }]);

      // A count at PostgreSQL's largest bigint makes the pair c>d overflow: that message fails, the others of its statement do not.
      await readModels.query('INSERT INTO recommendation_read.co_purchases (sku, other_sku, count) VALUES ($1, $2, $3)', [c, d, '9223372036854775807']);
      const outcomes = await Promise.allSettled([
        counting.handle(confirmed(`first-${run}`, [[a, 1]])),
        ...['x', 'y'].map((who) => counting.handle(confirmed(`${who}-${run}`, [[a, 1], [b, 1]]))),
        counting.handle(confirmed(`overflow-${run}`, [[c, 1], [d, 1]])),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      expect(await purchasesOf(`overflow-${run}`)).toEqual([]);
      await readModels.query('DELETE FROM recommendation_read.co_purchases WHERE sku = $1', [c]); // what the other tests read must fit a number
      expect(await coPurchasesOf([a, b])).toEqual({ [`${a}>${b}`]: 12, [`${b}>${a}`]: 12 });
    });

    it('counts on past 2^31: units bought and orders only grow', async () => {
      const {
        customer,
        skus: [a, b],
      } = names('A', 'B');
      const past = 2 ** 31;
      await readModels.query('INSERT INTO recommendation_read.customer_purchases (customer_id, sku, quantity, orders) VALUES ($1, $2, $3, $3)', [customer, a, past]);
      await readModels.query('INSERT INTO recommendation_read.co_purchases (sku, other_sku, count) VALUES ($1, $2, $3), ($2, $1, $3)', [a, b, past]);

      await handler.handle(confirmed(customer, [[a, 10_000], [b, 1]]));

      expect(await purchasesOf(customer)).toEqual([
        { sku: a, quantity: past + 10_000, orders: past + 1 },
        { sku: b, quantity: 1, orders: 1 },
      ]);
      expect(await coPurchasesOf([a, b])).toEqual({ [`${a}>${b}`]: past + 1, [`${b}>${a}`]: past + 1 });
      expect(await recommendations.alsoBought(a, 5)).toEqual([{ sku: b, count: past + 1 }]);
    });

    it('leaves no trace of a message that fails at its last write, and applies it whole when it comes again', async () => {
      const {
        customer,
        skus: [a, b],
      } = names('A', 'B');
      // A count at PostgreSQL's largest bigint: the co-purchase increment, written after the
      // inbox entry and the purchases, overflows. (Read as text: no JavaScript number holds it.)
      const largest = '9223372036854775807';
      await readModels.query('INSERT INTO recommendation_read.co_purchases (sku, other_sku, count) VALUES ($1, $2, $3)', [a, b, largest]);
      const message = confirmed(customer, [[a, 1], [b, 2]]);

      await expect(handler.handle(message)).rejects.toThrow(/out of range/);

      expect(await readModels.getRepository(HandledMessageRow).findOneBy({ messageId: message.metadata.messageId })).toBeNull();
      expect(await purchasesOf(customer)).toEqual([]);
      const pairs = await readModels.query('SELECT sku, other_sku, count::text FROM recommendation_read.co_purchases WHERE sku = ANY($1) ORDER BY sku', [[a, b]]);
      expect(pairs).toEqual([{ sku: a, other_sku: b, count: largest }]);

      await readModels.query('UPDATE recommendation_read.co_purchases SET count = 0 WHERE sku = $1 AND other_sku = $2', [a, b]);
      await handler.handle(message);

      expect(await readModels.getRepository(HandledMessageRow).findOneBy({ messageId: message.metadata.messageId })).not.toBeNull();
      expect(await purchasesOf(customer)).toEqual([
        { sku: a, quantity: 1, orders: 1 },
        { sku: b, quantity: 2, orders: 1 },
      ]);
      expect(await coPurchasesOf([a, b])).toEqual({ [`${a}>${b}`]: 1, [`${b}>${a}`]: 1 });
    });

    it('refuses a message type it does not handle, and records nothing', async () => {
      const message = { ...confirmed('nobody', [['X', 1]]), type: 'order.order-cancelled.v1', data: { orderId: randomUUID() } } as IntegrationMessage<Message>;

      await expect(handler.handle(message)).rejects.toThrow('recommendation.orders does not handle order.order-cancelled.v1.');
      expect(await readModels.getRepository(HandledMessageRow).findOneBy({ messageId: message.metadata.messageId })).toBeNull();
    });
  });

  describe('also bought', () => {
    it('lists the products bought together most often first, ties by sku, up to the limit', async () => {
      const {
        customer,
        skus: [mug, tea, cup, pen, ink],
      } = names('MUG', 'TEA', 'CUP', 'PEN', 'INK');
      await handler.handle(confirmed(customer, [[mug, 1], [tea, 1], [pen, 1]]));
      await handler.handle(confirmed(customer, [[mug, 1], [tea, 1], [cup, 1]]));
      await handler.handle(confirmed(customer, [[mug, 1], [tea, 1], [ink, 1]]));
      await handler.handle(confirmed(customer, [[mug, 1], [pen, 1]]));

      expect(await recommendations.alsoBought(mug, 10)).toEqual([
        { sku: tea, count: 3 },
        { sku: pen, count: 2 },
        { sku: cup, count: 1 },
        { sku: ink, count: 1 },
      ]);
      expect(await recommendations.alsoBought(mug, 3)).toEqual([
        { sku: tea, count: 3 },
        { sku: pen, count: 2 },
        { sku: cup, count: 1 },
      ]);
      expect(await recommendations.alsoBought(cup, 10)).toEqual([
        { sku: mug, count: 1 },
        { sku: tea, count: 1 },
      ]);
    });

    it('breaks ties byte-wise, the same on every server: digits and dashes before letters', async () => {
      const {
        customer,
        skus: [base, dash, digit, letter],
      } = names('BASE', 'A-B', 'A1', 'AB');
      await handler.handle(confirmed(customer, [[base, 1], [letter, 1], [dash, 1], [digit, 1]]));

      expect((await recommendations.alsoBought(base, 10)).map((product) => product.sku)).toEqual([dash, digit, letter]);
      // The test server's own locale may already sort byte-wise; the columns make it so on any server.
      const collations: { table_name: string; column_name: string; collation_name: string | null }[] = await readModels.query(
        `SELECT table_name, column_name, collation_name FROM information_schema.columns
         WHERE table_schema = 'recommendation_read' AND column_name IN ('sku', 'other_sku') ORDER BY table_name, column_name`,
      );
      expect(collations).toEqual([
        { table_name: 'co_purchases', column_name: 'other_sku', collation_name: 'C' },
        { table_name: 'co_purchases', column_name: 'sku', collation_name: 'C' },
        { table_name: 'customer_purchases', column_name: 'sku', collation_name: 'C' },
      ]);
    });

    it('is empty for a sku never bought with another, and for one never bought', async () => {
      const {
        customer,
        skus: [alone],
      } = names('ALONE');
      await handler.handle(confirmed(customer, [[alone, 2]]));

      expect(await recommendations.alsoBought(alone, 10)).toEqual([]);
      expect(await recommendations.alsoBought('NEVER-SOLD', 10)).toEqual([]);
    });
  });

  describe('recommended for a customer', () => {
    it('scores what others bought with the customer’s products, leaving out what the customer owns', async () => {
      const {
        customer,
        skus: [mug, tea, cup, pen, ink, hat],
      } = names('MUG', 'TEA', 'CUP', 'PEN', 'INK', 'HAT');
      const other = `other-${run}`;
      await handler.handle(confirmed(customer, [[mug, 1], [tea, 1]]));
      await handler.handle(confirmed(other, [[mug, 1], [cup, 1], [pen, 1]]));
      await handler.handle(confirmed(other, [[tea, 1], [cup, 1]]));
      await handler.handle(confirmed(other, [[tea, 1], [ink, 1]]));
      await handler.handle(confirmed(other, [[mug, 1], [tea, 1], [ink, 1]]));
      await handler.handle(confirmed(other, [[pen, 1], [hat, 1]]));

      // cup: with mug 1 + with tea 1; ink: with tea 2 + with mug 1; pen: with mug 1.
      // mug and tea are bought together twice, but the customer owns both; hat goes only with pen.
      expect(await recommendations.recommendedFor(customer, 10)).toEqual([
        { sku: ink, score: 3 },
        { sku: cup, score: 2 },
        { sku: pen, score: 1 },
      ]);
      expect(await recommendations.recommendedFor(customer, 2)).toEqual([
        { sku: ink, score: 3 },
        { sku: cup, score: 2 },
      ]);
    });

    it('breaks equal scores by sku', async () => {
      const {
        customer,
        skus: [mug, zed, abc],
      } = names('MUG', 'ZED', 'ABC');
      await handler.handle(confirmed(`other-${run}`, [[mug, 1], [zed, 1], [abc, 1]]));
      await handler.handle(confirmed(customer, [[mug, 1]]));

      expect(await recommendations.recommendedFor(customer, 10)).toEqual([
        { sku: abc, score: 1 },
        { sku: zed, score: 1 },
      ]);
    });

    it('is empty for a customer who bought nothing', async () => {
      expect(await recommendations.recommendedFor(`nobody-${randomUUID()}`, 10)).toEqual([]);
    });

    it('refuses a limit that is not a whole number of at least 1', async () => {
      await expect(recommendations.recommendedFor('anyone', 0)).rejects.toThrow(RangeError);
      await expect(recommendations.alsoBought('MUG', 2.5)).rejects.toThrow(RangeError);
    });
  });
});
