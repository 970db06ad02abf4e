import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Message, MessageType, MessageData } from '@agora/contracts';
import { comparePositions, PostgresEventStore, type GlobalPosition, type RecordedEvent } from '@agora/event-sourcing';
import { migrateMessaging, PostgresCheckpointStore, type IntegrationMessage } from '@agora/messaging';
import { eventStoreForTest } from '@agora/testing';
import { CommandHandler } from '@agora/event-sourcing';
import { PaymentCommandsHandler } from '../../integration/payment-commands.handler.js';
import { PaymentOutboundMapping } from '../../integration/payment-outbound.mapping.js';
import { SimulatedPaymentGateway, type SimulatedPaymentGatewayOptions } from '../../gateway/simulated-payment-gateway.js';
import type { PaymentGateway } from '../../gateway/payment-gateway.js';
import { PaymentProcessor, type PaymentProcessorOptions } from './payment-processor.js';
import { ResilientPaymentGateway } from '../../gateway/resilient-payment-gateway.js';
import { callPolicy } from '@agora/platform';

async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  for (const started = Date.now(); ; ) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

function command<T extends MessageType>(type: T, data: MessageData<T>): IntegrationMessage<Message> {
  const messageId = randomUUID();
  return {
    type,
    key: (data as { orderId: string }).orderId,
    data,
    metadata: { messageId, correlationId: `checkout-${messageId}`, causationId: messageId, occurredAt: new Date().toISOString(), schemaVersion: 1 },
  } as IntegrationMessage<Message>;
}
const charge = (orderId: string, paymentToken: string, amountCents = 2500) =>
  command('payment.charge-payment.v1', { orderId, amountCents, currency: 'EUR', paymentToken });
const refund = (orderId: string) => command('payment.refund-payment.v1', { orderId, reason: 'order-cancelled' });

describe('payment: commands in, gateway calls by the processor, answers out', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;
  let inbound: PaymentCommandsHandler;
  const outbound = new PaymentOutboundMapping();
  const processors: PaymentProcessor[] = [];

  beforeAll(async () => {
    ({ pool, store } = await eventStoreForTest('payment', { max: 20 }));
    await migrateMessaging(pool);
    checkpoints = new PostgresCheckpointStore(pool);
    inbound = new PaymentCommandsHandler(new CommandHandler(store));
  });
  afterEach(async () => {
    await Promise.all(processors.splice(0).map((processor) => processor.stop()));
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  /** A processor for this test only: its own checkpoint, starting at the head of the log. */
  async function startProcessor(gateway: PaymentGateway, checkpointName = `payment.charges.${randomUUID()}`, options: PaymentProcessorOptions = {}) {
    if (!(await checkpoints.load(checkpointName))) {
      const head = await store.headPosition();
      if (head) await checkpoints.save(checkpointName, head);
    }
    const processor = new PaymentProcessor(store, gateway, checkpoints, { checkpointName, retryDelayMs: 10, ...options });
    processors.push(processor);
    await processor.start();
    return { processor, checkpointName };
  }

  const streamOf = (orderId: string) => store.readStream(`payment-${orderId}`);
  const typesOf = async (orderId: string) => (await streamOf(orderId)).map((event) => event.type);
  const published = async (orderId: string) =>
    (await streamOf(orderId)).flatMap((event: RecordedEvent) => outbound.map(event)).map(({ type, data }) => ({ type, data }));
  /** The processor has nothing left to do: its checkpoint has reached the last event. */
  const settled = (checkpointName: string) =>
    until(async () => {
      const [mark, head] = await Promise.all([checkpoints.load(checkpointName), store.headPosition()]);
      return mark && head && comparePositions(mark, head) === 0;
    }, `${checkpointName} to reach the head`);
  const eventually = (orderId: string, type: string) => until(async () => (await typesOf(orderId)).includes(type), `${type} on order ${orderId}`);

  function gatewayWith(options: SimulatedPaymentGatewayOptions = {}) {
    return new SimulatedPaymentGateway(options);
  }

  it('captures a tok_visa charge once, although the command came twice', async () => {
    const gateway = gatewayWith();
    const { checkpointName } = await startProcessor(gateway);
    const orderId = randomUUID();
    const message = charge(orderId, 'tok_visa');
    await inbound.handle(message);
    await inbound.handle(message);

    await eventually(orderId, 'payment.captured.v1');
    await settled(checkpointName);
    expect(await typesOf(orderId)).toEqual(['payment.charge-requested.v1', 'payment.captured.v1']);
    expect(gateway.charges).toEqual([expect.objectContaining({ orderId, amountCents: 2500, currency: 'EUR' })]);
    expect(await published(orderId)).toEqual([
      { type: 'payment.payment-captured.v1', data: { orderId, chargeId: gateway.charges[0]!.chargeId, amountCents: 2500, currency: 'EUR' } },
    ]);
    const captured = (await streamOf(orderId))[1]!;
    expect(captured.metadata.correlationId).toBe(message.metadata.correlationId);
  });

  it('records a tok_chargeDeclined charge as declined, once', async () => {
    const gateway = gatewayWith();
    const { checkpointName } = await startProcessor(gateway);
    const orderId = randomUUID();
    await inbound.handle(charge(orderId, 'tok_chargeDeclined'));
    await inbound.handle(charge(orderId, 'tok_chargeDeclined'));

    await eventually(orderId, 'payment.declined.v1');
    await settled(checkpointName);
    expect(await typesOf(orderId)).toEqual(['payment.charge-requested.v1', 'payment.declined.v1']);
    expect(gateway.charges).toEqual([]);
    expect(await published(orderId)).toEqual([{ type: 'payment.payment-declined.v1', data: { orderId, reason: 'card-declined' } }]);
  });

  it('refunds a captured charge once, although the refund came twice', async () => {
    const gateway = gatewayWith();
    const { checkpointName } = await startProcessor(gateway);
    const orderId = randomUUID();
    await inbound.handle(charge(orderId, 'tok_visa'));
    await eventually(orderId, 'payment.captured.v1');
    const message = refund(orderId);
    await inbound.handle(message);
    await inbound.handle(message);

    await eventually(orderId, 'payment.refunded.v1');
    await settled(checkpointName);
    expect(await typesOf(orderId)).toEqual([
      'payment.charge-requested.v1',
      'payment.captured.v1',
      'payment.refund-requested.v1',
      'payment.refunded.v1',
    ]);
    const { chargeId } = gateway.charges[0]!;
    expect(gateway.refunds).toEqual([expect.objectContaining({ chargeId, amountCents: 2500 })]);
    expect(await published(orderId)).toEqual([
      { type: 'payment.payment-captured.v1', data: { orderId, chargeId, amountCents: 2500, currency: 'EUR' } },
      { type: 'payment.payment-refunded.v1', data: { orderId, chargeId, amountCents: 2500, currency: 'EUR' } },
    ]);
  });

  it('records a refund of an order never charged as not needed, once, and calls no gateway', async () => {
    const gateway = gatewayWith();
    const { checkpointName } = await startProcessor(gateway);
    const orderId = randomUUID();
    await inbound.handle(refund(orderId));
    await inbound.handle(refund(orderId));

    await settled(checkpointName);
    expect(await typesOf(orderId)).toEqual(['payment.refund-skipped.v1']);
    expect(await published(orderId)).toEqual([{ type: 'payment.refund-not-needed.v1', data: { orderId } }]);
    expect(gateway.chargeRequests).toEqual([]);
    expect(gateway.refunds).toEqual([]);
  });

  it('refunds a charge the gateway approves after the refund was asked for (no money without goods)', async () => {
    const gateway = gatewayWith({ lateAnswerAfterMs: 300 });
    const { checkpointName } = await startProcessor(gateway);
    const orderId = randomUUID();
    await inbound.handle(charge(orderId, 'tok_timeout'));
    await until(() => gateway.chargeRequests.length === 1, 'the charge to reach the gateway');
    await inbound.handle(refund(orderId)); // the saga's deadline fired

    await eventually(orderId, 'payment.refunded.v1');
    await settled(checkpointName);
    expect(await typesOf(orderId)).toEqual([
      'payment.charge-requested.v1',
      'payment.refund-requested.v1',
      'payment.captured.v1',
      'payment.refunded.v1',
    ]);
    expect(gateway.charges).toEqual([expect.objectContaining({ orderId, amountCents: 2500, refundedCents: 2500 })]);
    expect((await published(orderId)).map((message) => message.type)).toEqual(['payment.payment-captured.v1', 'payment.payment-refunded.v1']);
  });

  it('charges other orders while a tok_timeout charge never answers, and keeps its checkpoint before the unanswered one', async () => {
    const gateway = gatewayWith();
    const { checkpointName } = await startProcessor(gateway);
    const stuck = randomUUID();
    const other = randomUUID();
    await inbound.handle(charge(stuck, 'tok_timeout'));
    await inbound.handle(charge(other, 'tok_visa'));

    await eventually(other, 'payment.captured.v1');
    expect(await typesOf(stuck)).toEqual(['payment.charge-requested.v1']);
    // Everything after the unanswered request is done, yet the checkpoint may not pass it.
    const [stuckRequest] = await streamOf(stuck);
    await until(async () => (await streamOf(other)).length === 2, 'the other order to settle');
    await sleep(50);
    const mark = (await checkpoints.load(checkpointName))!;
    expect(comparePositions(mark, stuckRequest!.position)).toBeLessThan(0);
  });

  it('gives up the slot of an order whose call timed out while it waits to ask again: with one slot, other orders are charged meanwhile', async () => {
    const simulator = gatewayWith();
    // As the hosts call it: an attempt that does not answer is abandoned, here after 50 ms.
    const gateway = new ResilientPaymentGateway(
      simulator,
      callPolicy({ name: 'the simulator', target: 'simulator', timeoutMs: 50, retries: 0, breakAfter: 1000, halfOpenAfterMs: 1000, bulkhead: { limit: 8, queue: 8 } }),
    );
    const { checkpointName } = await startProcessor(gateway, undefined, { maxInFlight: 1, retryDelayMs: 200 });
    const stuck = randomUUID();
    const others = [randomUUID(), randomUUID(), randomUUID()];
    await inbound.handle(charge(stuck, 'tok_timeout'));
    for (const orderId of others) await inbound.handle(charge(orderId, 'tok_visa'));

    for (const orderId of others) await eventually(orderId, 'payment.captured.v1');
    // The unanswered one is asked again, under its one idempotency key, and stays requested.
    await until(() => simulator.chargeRequests.filter((request) => request.orderId === stuck).length >= 2, 'the unanswered charge to be asked again');
    expect(new Set(simulator.chargeRequests.filter((request) => request.orderId === stuck).map((request) => request.idempotencyKey))).toEqual(new Set([stuck]));
    expect(await typesOf(stuck)).toEqual(['payment.charge-requested.v1']);
    const [stuckRequest] = await streamOf(stuck);
    const mark = (await checkpoints.load(checkpointName))!;
    expect(comparePositions(mark, stuckRequest!.position)).toBeLessThan(0);
  });

  it('charges on while its checkpoint save never answers: saves are spaced out, the next events do not wait for one', async () => {
    const gateway = gatewayWith();
    const checkpointName = `payment.charges.${randomUUID()}`;
    const head = await store.headPosition();
    if (head) await checkpoints.save(checkpointName, head);
    let saves = 0;
    const hanging = { load: (name: string) => checkpoints.load(name), save: () => ((saves += 1), new Promise<void>(() => undefined)) };
    const processor = new PaymentProcessor(store, gateway, hanging, { checkpointName, retryDelayMs: 10 });
    processors.push(processor);
    processor.start();
    const [first, second] = [randomUUID(), randomUUID()];
    await inbound.handle(charge(first, 'tok_visa'));
    await eventually(first, 'payment.captured.v1');
    await until(() => saves > 0, 'a checkpoint save to start');

    await inbound.handle(charge(second, 'tok_visa'));
    await eventually(second, 'payment.captured.v1');
    expect(gateway.charges.map((c) => c.orderId)).toEqual([first, second]);
  });

  it('asks again with the same idempotency key after a crash mid-charge, and settles the charge once', async () => {
    const gateway = gatewayWith({ latencyMs: 300 });
    const first = await startProcessor(gateway);
    const orderId = randomUUID();
    await inbound.handle(charge(orderId, 'tok_visa'));
    await until(() => gateway.chargeRequests.length === 1, 'the charge to reach the gateway');
    const [request] = await streamOf(orderId);

    await first.processor.stop(); // the "crash": the answer is still on its way
    const mark: GlobalPosition = (await checkpoints.load(first.checkpointName))!;
    expect(comparePositions(mark, request!.position)).toBeLessThan(0);

    await startProcessor(gateway, first.checkpointName);
    await eventually(orderId, 'payment.captured.v1');
    await settled(first.checkpointName);
    await sleep(350); // long enough for the abandoned first call to have answered too
    expect(gateway.chargeRequests.map((r) => r.idempotencyKey)).toEqual([orderId, orderId]);
    expect(gateway.charges).toHaveLength(1);
    expect(await typesOf(orderId)).toEqual(['payment.charge-requested.v1', 'payment.captured.v1']);
  });

  it('refunds after a restart a charge captured before it (the simulated provider lives in the process)', async () => {
    const before = await startProcessor(gatewayWith());
    const orderId = randomUUID();
    await inbound.handle(charge(orderId, 'tok_visa'));
    await eventually(orderId, 'payment.captured.v1');
    await before.processor.stop();

    const afterRestart = gatewayWith();
    await startProcessor(afterRestart, before.checkpointName);
    await inbound.handle(refund(orderId));
    await eventually(orderId, 'payment.refunded.v1');
    const [, captured, , refunded] = await streamOf(orderId);
    const { chargeId } = captured!.data as { chargeId: string };
    expect(refunded!.data).toMatchObject({ orderId, chargeId, amountCents: 2500 });
    expect(afterRestart.refunds).toEqual([expect.objectContaining({ chargeId, amountCents: 2500 })]);
  });

  it('charges many orders concurrently, never more at once than allowed', async () => {
    const simulator = gatewayWith({ latencyMs: 100 });
    let running = 0;
    let mostAtOnce = 0;
    const counting: PaymentGateway = {
      charge: async (request) => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        try {
          return await simulator.charge(request);
        } finally {
          running--;
        }
      },
      refund: (request) => simulator.refund(request),
    };
    const head = await store.headPosition();
    const checkpointName = `payment.charges.${randomUUID()}`;
    if (head) await checkpoints.save(checkpointName, head);
    const processor = new PaymentProcessor(store, counting, checkpoints, { checkpointName, maxInFlight: 3 });
    processors.push(processor);
    await processor.start();

    const orders = Array.from({ length: 9 }, () => randomUUID());
    const started = Date.now();
    for (const orderId of orders) await inbound.handle(charge(orderId, 'tok_visa'));
    await settled(checkpointName);
    expect(simulator.charges).toHaveLength(9);
    expect(mostAtOnce).toBe(3);
    expect(Date.now() - started).toBeLessThan(9 * 100); // one after another would take 900 ms
  });

  it('runs under the checkpoint name payment.charges by default', async () => {
    const gateway = gatewayWith();
    // Past the earlier tests' orders: one of them never gets an answer.
    await checkpoints.save('payment.charges', (await store.headPosition())!);
    const processor = new PaymentProcessor(store, gateway, checkpoints, { retryDelayMs: 10 });
    processors.push(processor);
    await processor.start();
    const orderId = randomUUID();
    await inbound.handle(charge(orderId, 'tok_visa'));
    await eventually(orderId, 'payment.captured.v1');
    await settled('payment.charges');
  });
});
