import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { requestContext, streamName, withMetadata, type PostgresEventStore } from '@agora/event-sourcing';
import { ProjectionRunner } from '@agora/projections';
import { readSideForTest, type ReadSideForTest } from '../../../testing/src/read-models.js';
import { USER_CATEGORY, type UserEvent } from '../domain/user.js';
import { UserRow } from './user.row.js';
import { userReadModel } from './user-read-model.js';

describe('the users read model in PostgreSQL', () => {
  let side: ReadSideForTest;
  let store: PostgresEventStore;
  let readModels: DataSource;
  const at = (minute: number) => `2026-03-01T10:0${minute}:00.000Z`;

  beforeAll(async () => {
    side = await readSideForTest('user_read_model', userReadModel);
    ({ store, readModels } = side);
  });
  afterAll(() => side.close());

  const append = (event: UserEvent) =>
    store.appendToStream(streamName(USER_CATEGORY, event.data.userId), [withMetadata(event, requestContext(), new Date())], 'any');
  const registered = (userId: string, email: string, minute: number): UserEvent => ({
    type: 'user.registered.v1',
    data: { userId, email, name: email.split('@')[0]!, role: 'customer', passwordHash: '$2b$10$hash', at: at(minute) },
  });
  const emailChanged = (userId: string, email: string, minute: number): UserEvent => ({ type: 'user.profile-changed.v1', data: { userId, email, at: at(minute) } });

  /** Runs the projection until it has applied `position`; events already stored arrive in one batch. */
  async function project(position: Parameters<ProjectionRunner['waitFor']>[0]): Promise<void> {
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(readModels, store, userReadModel.projections[0]!, { onError: (error) => errors.push(error) });
    runner.start();
    const caughtUp = await runner.waitFor(position, 5_000);
    await runner.stop();
    expect(errors).toEqual([]);
    expect(caughtUp).toBe(true);
  }

  it('projects, in one batch, a user taking an address that another gives up later in the batch', async () => {
    const [ada, bob] = [randomUUID(), randomUUID()];
    await append(registered(bob, 'bob@example.org', 0));
    await project((await append(registered(ada, 'ada@example.org', 1))).position);

    // Bob is touched first in the next batch, so his row comes first in its upsert, while
    // Ada's row still has the address he takes.
    await append({ type: 'user.profile-changed.v1', data: { userId: bob, name: 'Bob', at: at(2) } });
    await append(emailChanged(ada, 'countess@example.org', 3));
    await project((await append(emailChanged(bob, 'ada@example.org', 4))).position);

    const rows = await readModels.getRepository(UserRow).find({ order: { email: 'ASC' } });
    expect(rows.map(({ userId, email, name, createdAt, updatedAt }) => ({ userId, email, name, createdAt, updatedAt }))).toEqual([
      { userId: bob, email: 'ada@example.org', name: 'Bob', createdAt: new Date(at(0)), updatedAt: new Date(at(4)) },
      { userId: ada, email: 'countess@example.org', name: 'ada', createdAt: new Date(at(1)), updatedAt: new Date(at(3)) },
    ]);
  });

  it('keeps one user per address, and addresses lower-cased, at every commit', async () => {
    const users = readModels.getRepository(UserRow);
    const row = (email: string) =>
      Object.assign(new UserRow(), { userId: randomUUID(), email, name: 'x', role: 'customer', passwordHash: 'h', createdAt: new Date(), updatedAt: new Date() });
    await users.insert(row('twice@example.org'));
    await expect(users.insert(row('twice@example.org'))).rejects.toThrow(/users_email_key/);
    await expect(users.insert(row('Upper@example.org'))).rejects.toThrow(/users_email_lower_case/);
  });
});
