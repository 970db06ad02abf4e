import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase } from '../../testing/src/postgres.js';
import { PROBE_CONTRACTS, type ProbeMessage } from '../../testing/src/probe-messages.js';
import { DeadLetterBusy, PostgresDeadLetters } from './dead-letters.js';
import { InProcessTransport } from './in-process-transport.js';
import { ContractRegistry, type IntegrationMessage } from './message-contracts.js';
import type { MessageHandler } from './ports.js';
import { migrateMessaging } from './schema.js';

class Recorder implements MessageHandler<ProbeMessage> {
  readonly name = 'recorder';
  readonly types = ['probe.order-released.v1'] as const;
  readonly received: IntegrationMessage<ProbeMessage>[] = [];
  failing = false;

  async handle(message: IntegrationMessage<ProbeMessage>): Promise<void> {
    if (this.failing) throw new Error('the recorder is down');
    this.received.push(message);
  }
}

const released = (orderId: string) => ({
  type: 'probe.order-released.v1',
  key: orderId,
  data: { orderId },
  metadata: { messageId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 },
});

describe('replaying dead letters (PostgreSQL, in-process transport)', () => {
  let pool: pg.Pool;
  let letters: PostgresDeadLetters;
  let transport: InProcessTransport;
  let recorder: Recorder;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await createTestDatabase('dead_letters'), max: 5 });
    await migrateMessaging(pool);
    letters = new PostgresDeadLetters(pool);
    transport = new InProcessTransport(ContractRegistry.of(PROBE_CONTRACTS), letters, { backoffMs: 1, maxAttempts: 2 });
    recorder = new Recorder();
    transport.register(recorder);
  });
  afterAll(() => pool.end());

  /** Sets `message` aside for the recorder, as a transport does; answers its id. */
  const setAside = async (message: unknown, consumer = 'recorder') => {
    await letters.add({ consumer, message: message as IntegrationMessage, error: 'refused by its contract', attempts: 0 });
    return (await letters.list()).at(-1)!.id;
  };
  const stored = async (id: string) => (await letters.list()).find((letter) => letter.id === id);
  const replay = (id: string) => letters.replay(id, (letter) => transport.redeliver(letter.consumer, letter.message));

  it('hands a letter its contract takes now to its consumer, and lets it go', async () => {
    const orderId = randomUUID();
    const id = await setAside(released(orderId));

    expect(await replay(id)).toEqual({ replayed: true });

    expect(recorder.received.map((message) => message.key)).toContain(orderId);
    expect(await stored(id)).toBeUndefined();
    // Gone: a second replay finds nothing.
    expect(await replay(id)).toBeUndefined();
  });

  it('keeps a letter its contract still refuses, or its consumer fails on, with the reason and one more attempt', async () => {
    const broken = await setAside({ ...released(randomUUID()), data: { orderId: 'not-a-uuid' } });
    expect(await replay(broken)).toEqual({ replayed: false, error: expect.stringContaining('orderId') });
    expect(await stored(broken)).toMatchObject({ attempts: 1, error: expect.stringContaining('orderId') });

    recorder.failing = true;
    try {
      const fine = await setAside(released(randomUUID()));
      expect(await replay(fine)).toEqual({ replayed: false, error: 'recorder failed on probe.order-released.v1: the recorder is down' });
      expect(await stored(fine)).toMatchObject({ attempts: 1, error: 'recorder failed on probe.order-released.v1: the recorder is down' });
    } finally {
      recorder.failing = false;
    }

    const elsewhere = await setAside(released(randomUUID()), 'someone-else');
    expect(await replay(elsewhere)).toEqual({ replayed: false, error: 'There is no consumer someone-else here.' });
  });

  it('refuses a second replay of a letter while the first is under way, and delivers it once', async () => {
    const orderId = randomUUID();
    const id = await setAside(released(orderId));
    let release!: () => void;
    let entered!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = letters.replay(id, async (letter) => {
      entered();
      await held;
      await transport.redeliver(letter.consumer, letter.message);
    });
    await inside;
    // The first holds the row's lock until its consumer has answered.
    await expect(replay(id)).rejects.toBeInstanceOf(DeadLetterBusy);
    release();
    expect(await first).toEqual({ replayed: true });
    expect(recorder.received.filter((message) => message.key === orderId)).toHaveLength(1);
  });
});
