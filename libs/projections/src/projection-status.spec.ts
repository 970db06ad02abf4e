import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { NewEvent } from '@agora/event-sourcing';
import { fakeEventStoreDbForSuite } from '../../testing/src/fake-eventstoredb.js';
import type { Projection } from './projection.js';
import { projectionStatus } from './projection-runner.js';

// What a /health probe costs on EventStoreDB: the in-process gRPC server of the adapter's
// tests (libs/testing/src/fake-eventstoredb.ts) counts the events it sends.

function placed(): NewEvent {
  const id = randomUUID();
  return { type: 'order.placed.v1', data: {}, metadata: { messageId: id, correlationId: id, causationId: id, occurredAt: new Date(0).toISOString(), schemaVersion: 1 } };
}

function projectionOf(category: string): Projection {
  return { name: `${category}.rows`, schema: category, categories: [category], tables: [], apply: async () => undefined };
}

describe('projectionStatus on EventStoreDB', () => {
  const suite = fakeEventStoreDbForSuite();

  it('counts the lag from the events of its categories alone: the many events of others after its checkpoint are not sent', async () => {
    const [mine, other] = [`m${randomUUID().slice(0, 8)}`, `o${randomUUID().slice(0, 8)}`];
    const positions = [];
    for (let n = 0; n < 3; n++) positions.push((await suite.store.appendToStream(`${mine}-${n}`, [placed()], 'no-stream')).position);
    const { position: head } = await suite.store.appendToStream(`${other}-1`, Array.from({ length: 3000 }, placed), 'no-stream');

    // Caught up: its checkpoint is its last event, 3,000 events of another category follow.
    let before = suite.server.eventsRead;
    expect(await projectionStatus(suite.store, projectionOf(mine), positions[2], 1000)).toEqual({
      name: `${mine}.rows`,
      checkpoint: positions[2],
      head,
      lagEvents: 0,
      lagMs: 0,
    });
    // The head, and the event at the checkpoint (reads start at a position inclusively).
    expect(suite.server.eventsRead - before).toBe(2);

    // Two events behind.
    before = suite.server.eventsRead;
    const behind = await projectionStatus(suite.store, projectionOf(mine), positions[0], 1000);
    expect(behind).toMatchObject({ checkpoint: positions[0], head, lagEvents: 2 });
    expect(behind.lagMs).toBeGreaterThanOrEqual(0);
    expect(suite.server.eventsRead - before).toBe(4);

    // Every read of the log was filtered by the server.
    expect(suite.server.readRequests.filter((request) => request.stream === '$all' && !request.filter)).toEqual([]);
  });

  it('counts at most the limit asked for, and the server sends no more than that', async () => {
    const mine = `m${randomUUID().slice(0, 8)}`;
    await suite.store.appendToStream(`${mine}-1`, Array.from({ length: 50 }, placed), 'no-stream');

    const before = suite.server.eventsRead;
    const status = await projectionStatus(suite.store, projectionOf(mine), undefined, 10);
    expect(status.lagEvents).toBe(10);
    expect(suite.server.eventsRead - before).toBe(1 + 10);
  });
});
