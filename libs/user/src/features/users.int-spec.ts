import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  EVENT_STORE,
  PostgresEventStore,
  requestContext,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@agora/event-sourcing';
import { eventStoreForTest, testHost, until } from '@agora/testing';
import { EmailTaken, UserNotFound } from '../domain/errors.js';
import type { UserEvent } from '../domain/user.js';
import { UserRow } from '../read-model/user.row.js';
import { userReadModel } from '../read-model/user-read-model.js';
import { UserModule } from '../user.module.js';
import { ChangeProfileHandler } from './change-profile/change-profile.handler.js';
import { GetUserHandler } from './get-user/get-user.handler.js';
import { RegisterUserHandler } from './register-user/register-user.handler.js';
import { emailClaimStream, userStream } from './user-accounts.js';
import { UserCredentials } from './verify-credentials/user-credentials.js';

/** Passes everything to the real store, except that the process "dies" just before one chosen append. */
class CrashingEventStore implements EventStore {
  private crashBefore: string | undefined;

  constructor(private readonly inner: EventStore) {}

  /** The next append to a stream of this category fails, once, without appending. */
  crashBeforeAppendingTo(category: string): void {
    this.crashBefore = category;
  }

  async appendToStream(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.crashBefore !== undefined && stream.startsWith(`${this.crashBefore}-`)) {
      this.crashBefore = undefined;
      throw new Error(`simulated crash before appending to ${stream}`);
    }
    return this.inner.appendToStream(stream, events, expected);
  }
  readStream: EventStore['readStream'] = (stream, options) => this.inner.readStream(stream, options);
  readAll: EventStore['readAll'] = (options) => this.inner.readAll(options);
  readByCorrelation: EventStore['readByCorrelation'] = (correlationId, options) => this.inner.readByCorrelation(correlationId, options);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  subscribe: EventStore['subscribe'] = (options, handler) => this.inner.subscribe(options, handler);
  close: EventStore['close'] = () => this.inner.close();
}

describe('the user context’s handlers (PostgreSQL)', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let crashing: CrashingEventStore;
  let app: TestingModule;
  let register: RegisterUserHandler;
  let changeProfile: ChangeProfileHandler;
  let getUser: GetUserHandler;
  let credentials: UserCredentials;

  beforeAll(async () => {
    const db = await eventStoreForTest('user_handlers', { max: 25 });
    const { url } = db;
    ({ pool, store } = db);
    crashing = new CrashingEventStore(store);
    app = await Test.createTestingModule({
      imports: [
        ...testHost({ url, eventStore: crashing, pool, readModels: [userReadModel] }),
        UserModule,
      ],
    }).compile();
    await app.init(); // starts the projections
    register = app.get(RegisterUserHandler);
    changeProfile = app.get(ChangeProfileHandler);
    getUser = app.get(GetUserHandler);
    credentials = app.get(UserCredentials);
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
  });

  /** An address no other test uses. */
  const email = (name: string) => `${name}.${randomUUID().slice(0, 8)}@example.org`;
  const rows = () => app.get(DataSource).getRepository(UserRow);
  const registeredWith = async (address: string) =>
    (await store.readAll({ categories: ['user'] }))
      .map((event) => event as RecordedEvent<UserEvent>)
      .filter((event) => event.type === 'user.registered.v1' && event.data.email === address);
  const emailTaken = (error: unknown) => error instanceof EmailTaken;

  describe('registering', () => {
    it('records the user, whom the read model shows right away, with a hash of the password and never the password', async () => {
      const ada = email('ada');
      const { userId } = await register.execute({ email: ada, name: 'Ada Lovelace', password: 'correct horse battery' }, requestContext());

      const view = await getUser.execute(userId);
      expect(view).toEqual({ userId, email: ada, name: 'Ada Lovelace', role: 'customer', createdAt: expect.any(String), updatedAt: view.createdAt });
      expect(Date.now() - Date.parse(view.createdAt)).toBeLessThan(60_000);
      const row = await rows().findOneByOrFail({ userId });
      expect(row.passwordHash).toMatch(/^\$2[ab]\$10\$/);
      const written = JSON.stringify([...(await store.readStream(userStream(userId))), ...(await store.readStream(emailClaimStream(ada)))]);
      expect(written).toContain(row.passwordHash);
      expect(written).not.toContain('correct horse battery');
    });

    it('verifies the password, in any letter case of the email, and refuses a wrong password or an unknown email', async () => {
      const ada = email('ada');
      const { userId } = await register.execute({ email: ada, name: 'Ada', password: 'correct horse battery' }, requestContext());

      expect(await credentials.verify(ada.toUpperCase(), 'correct horse battery')).toEqual({ userId, role: 'customer', tokenVersion: 0 });
      expect(await credentials.verify(ada, 'correct horse batterY')).toBeUndefined();
      expect(await credentials.verify(email('nobody'), 'correct horse battery')).toBeUndefined();
    });

    it('refuses an address registered in other letters, and writes nothing', async () => {
      const ada = email('ada');
      await register.execute({ email: ada, name: 'Ada', password: 'correct horse battery' }, requestContext());
      const head = await store.headPosition();

      await expect(register.execute({ email: ` ${ada.toUpperCase()}`, name: 'Impostor', password: 'another password' }, requestContext())).rejects.toBeInstanceOf(EmailTaken);
      expect(await store.headPosition()).toEqual(head);
      expect(await credentials.verify(ada, 'another password')).toBeUndefined();
    });

    it('lets exactly one of 10 concurrent registrations of one address through', async () => {
      const shared = email('shared');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => register.execute({ email: i % 2 ? shared : shared.toUpperCase(), name: `Racer ${i}`, password: `password ${i}` }, requestContext())),
      );

      const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').every((outcome) => emailTaken(outcome.reason))).toBe(true);
      const [stored] = await registeredWith(shared);
      expect(await registeredWith(shared)).toHaveLength(1);
      expect((await rows().findBy({ email: shared })).map((row) => row.userId)).toEqual([winners[0]!.value.userId]);
      expect(stored!.data.userId).toBe(winners[0]!.value.userId);
    });
  });

  describe('changing a profile', () => {
    it('changes name and email; the new email signs in, the old one no longer does', async () => {
      const [before, after] = [email('before'), email('after')];
      const { userId } = await register.execute({ email: before, name: 'Ada', password: 'correct horse battery' }, requestContext());

      const view = await changeProfile.execute(userId, { name: 'Ada King', email: after.toUpperCase() }, requestContext());
      expect(view).toMatchObject({ userId, name: 'Ada King', email: after, role: 'customer' });
      expect(Date.parse(view.updatedAt)).toBeGreaterThan(Date.parse(view.createdAt));
      expect(await getUser.execute(userId)).toEqual(view);
      expect(await credentials.verify(after, 'correct horse battery')).toEqual({ userId, role: 'customer', tokenVersion: 0 });
      expect(await credentials.verify(before, 'correct horse battery')).toBeUndefined();
    });

    it('frees the old email for anyone at once', async () => {
      const [before, after] = [email('before'), email('after')];
      const ada = await register.execute({ email: before, name: 'Ada', password: 'correct horse battery' }, requestContext());
      await changeProfile.execute(ada.userId, { email: after }, requestContext());

      const bob = await register.execute({ email: before.toUpperCase(), name: 'Bob', password: 'bob password' }, requestContext());
      expect(await getUser.execute(bob.userId)).toMatchObject({ email: before, name: 'Bob' });
      expect(await credentials.verify(before, 'bob password')).toEqual({ userId: bob.userId, role: 'customer', tokenVersion: 0 });
      // ...and Ada cannot take it back now.
      await expect(changeProfile.execute(ada.userId, { email: before }, requestContext())).rejects.toBeInstanceOf(EmailTaken);
    });

    it('refuses another user’s email in any letter case, and writes nothing', async () => {
      const [adas, bobs] = [email('ada'), email('bob')];
      const ada = await register.execute({ email: adas, name: 'Ada', password: 'correct horse battery' }, requestContext());
      await register.execute({ email: bobs, name: 'Bob', password: 'bob password' }, requestContext());
      const head = await store.headPosition();

      await expect(changeProfile.execute(ada.userId, { name: 'Ada King', email: bobs.toUpperCase() }, requestContext())).rejects.toBeInstanceOf(EmailTaken);
      expect(await store.headPosition()).toEqual(head);
      expect(await getUser.execute(ada.userId)).toMatchObject({ name: 'Ada', email: adas });
    });

    it('writes nothing for the own email in other letters', async () => {
      const ada = email('ada');
      const { userId } = await register.execute({ email: ada, name: 'Ada', password: 'correct horse battery' }, requestContext());
      const head = await store.headPosition();
      expect(await changeProfile.execute(userId, { email: ada.toUpperCase() }, requestContext())).toMatchObject({ email: ada });
      expect(await store.headPosition()).toEqual(head);
    });

    it('refuses an unknown user', async () => {
      await expect(changeProfile.execute(randomUUID(), { name: 'Nobody' }, requestContext())).rejects.toBeInstanceOf(UserNotFound);
      await expect(changeProfile.execute('not-a-uuid', { name: 'Nobody' }, requestContext())).rejects.toBeInstanceOf(UserNotFound);
      await expect(getUser.execute('not-a-uuid')).rejects.toBeInstanceOf(UserNotFound);
    });
  });

  describe('ensuring the admin', () => {
    it('registers the admin once, however often it runs', async () => {
      const admin = email('admin');
      const first = await register.ensureAdmin(admin, 'admin password', 'Admin');
      const second = await register.ensureAdmin(admin.toUpperCase(), 'admin password', 'Admin');

      expect(first).toEqual({ userId: expect.any(String), created: true });
      expect(second).toEqual({ userId: first.userId, created: false });
      expect(await registeredWith(admin)).toHaveLength(1);
      expect(await rows().findBy({ email: admin })).toEqual([expect.objectContaining({ userId: first.userId, role: 'admin' })]);
      expect(await credentials.verify(admin, 'admin password')).toEqual({ userId: first.userId, role: 'admin', tokenVersion: 0 });
    });

    it('leaves a customer with that email a customer', async () => {
      const address = email('customer');
      const { userId } = await register.execute({ email: address, name: 'Customer', password: 'customer password' }, requestContext());
      expect(await register.ensureAdmin(address, 'admin password', 'Admin')).toEqual({ userId, created: false });
      expect(await credentials.verify(address, 'customer password')).toEqual({ userId, role: 'customer', tokenVersion: 0 });
      expect(await credentials.verify(address, 'admin password')).toBeUndefined();
    });
  });

  describe('when the process dies between claiming an email and using it', () => {
    it('the next registration of that email completes the interrupted one, and is refused', async () => {
      const ada = email('ada');
      crashing.crashBeforeAppendingTo('user');
      await expect(register.execute({ email: ada, name: 'Ada', password: 'first password' }, requestContext())).rejects.toThrow(/simulated crash/);
      expect(await registeredWith(ada)).toHaveLength(0);

      await expect(register.execute({ email: ada, name: 'Ada again', password: 'second password' }, requestContext())).rejects.toBeInstanceOf(EmailTaken);
      const [completed] = await registeredWith(ada);
      expect(completed!.data).toMatchObject({ email: ada, name: 'Ada' });
      await until(async () => (await credentials.verify(ada, 'first password')) !== undefined);
      expect(await credentials.verify(ada, 'first password')).toEqual({ userId: completed!.data.userId, role: 'customer', tokenVersion: 0 });
      expect(await credentials.verify(ada, 'second password')).toBeUndefined();
    });

    it('ensuring the admin again completes an interrupted admin registration', async () => {
      const admin = email('admin');
      crashing.crashBeforeAppendingTo('user');
      await expect(register.ensureAdmin(admin, 'admin password', 'Admin')).rejects.toThrow(/simulated crash/);

      const again = await register.ensureAdmin(admin, 'admin password', 'Admin');
      expect(again.created).toBe(false);
      await until(async () => (await credentials.verify(admin, 'admin password')) !== undefined);
      expect(await credentials.verify(admin, 'admin password')).toEqual({ userId: again.userId, role: 'admin', tokenVersion: 0 });
    });

    it('an interrupted email change keeps the new email for its user until the user’s next write', async () => {
      const [adas, wanted] = [email('ada'), email('wanted')];
      const ada = await register.execute({ email: adas, name: 'Ada', password: 'correct horse battery' }, requestContext());
      crashing.crashBeforeAppendingTo('user');
      await expect(changeProfile.execute(ada.userId, { email: wanted }, requestContext())).rejects.toThrow(/simulated crash/);
      expect(await getUser.execute(ada.userId)).toMatchObject({ email: adas });

      // Whoever wants the address next finds the change on its way and completes it.
      await expect(register.execute({ email: wanted, name: 'Bob', password: 'bob password' }, requestContext())).rejects.toBeInstanceOf(EmailTaken);
      await until(async () => (await getUser.execute(ada.userId)).email === wanted);
      expect(await credentials.verify(wanted, 'correct horse battery')).toEqual({ userId: ada.userId, role: 'customer', tokenVersion: 0 });
    });

    it('an interrupted email change lapses when its user writes something else first', async () => {
      const [adas, wanted] = [email('ada'), email('wanted')];
      const ada = await register.execute({ email: adas, name: 'Ada', password: 'correct horse battery' }, requestContext());
      crashing.crashBeforeAppendingTo('user');
      await expect(changeProfile.execute(ada.userId, { email: wanted }, requestContext())).rejects.toThrow(/simulated crash/);
      await changeProfile.execute(ada.userId, { name: 'Ada King' }, requestContext());

      const bob = await register.execute({ email: wanted, name: 'Bob', password: 'bob password' }, requestContext());
      expect(await getUser.execute(ada.userId)).toMatchObject({ email: adas, name: 'Ada King' });
      expect(await getUser.execute(bob.userId)).toMatchObject({ email: wanted });
    });
  });
});
