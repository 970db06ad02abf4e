import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { GlobalPosition } from '@agora/event-sourcing';
import { type HttpTestApp, httpTestApp } from '@agora/testing';
import { userReadModel } from '../read-model/user-read-model.js';
import { UserModule } from '../user.module.js';
import { GetUserHandler } from './get-user/get-user.handler.js';
import { userStream } from './user-accounts.js';
import { UserCredentials } from './verify-credentials/user-credentials.js';

describe('the users API (HTTP, PostgreSQL)', () => {
  let tested: HttpTestApp;
  let headBefore: GlobalPosition | undefined;

  beforeAll(async () => {
    tested = await httpTestApp({ database: 'user_http', title: 'Users', readModels: [userReadModel], imports: [UserModule] });
    await post({ email: 'ada@example.org', name: 'Ada Lovelace', password: 'correct horse battery' }).expect(201);
  });

  afterAll(() => tested.close());

  beforeEach(async () => {
    headBefore = await tested.store.headPosition();
  });
  const nothingWritten = async () => expect(await tested.store.headPosition()).toEqual(headBefore);

  function post(body: unknown) {
    return request(tested.app.getHttpServer()).post('/api/users').set('content-type', 'application/json').send(JSON.stringify(body));
  }
  const messages = (body: unknown) => (body as { message: string[] }).message;
  const valid = { email: 'Grace.Hopper@Example.org', name: 'Grace Hopper', password: 'cobol for ever' };

  it('registers a customer: 201 with the user id, recorded under the request’s correlation id', async () => {
    const response = await post(valid).set('x-correlation-id', 'register-grace-1');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ userId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    const { userId } = response.body as { userId: string };

    const [registered] = await tested.store.readStream(userStream(userId));
    expect(registered).toMatchObject({
      type: 'user.registered.v1',
      data: { userId, email: 'grace.hopper@example.org', name: 'Grace Hopper', role: 'customer' },
      metadata: { correlationId: 'register-grace-1', causationId: 'register-grace-1' },
    });
    expect(JSON.stringify(registered)).not.toContain(valid.password);
    expect(await tested.app.get(GetUserHandler).execute(userId)).toMatchObject({ email: 'grace.hopper@example.org', role: 'customer' });
    expect(await tested.app.get(UserCredentials).verify(valid.email, valid.password)).toEqual({ userId, role: 'customer', tokenVersion: 0 });
  });

  it('answers 409 for a registered email in other letters, and writes nothing', async () => {
    const response = await post({ ...valid, email: 'ADA@example.ORG' });
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'The email address ada@example.org is already registered.' });
    await nothingWritten();
  });

  it.each([
    ['email', { email: 'not-an-email' }, 'email must be a valid email address'],
    ['email', { email: 42 }, 'email must be a valid email address'],
    ['name', { name: '' }, 'name must be 1 to 100 characters'],
    ['name', { name: 'x'.repeat(101) }, 'name must be 1 to 100 characters'],
    ['password', { password: 'short' }, 'password must be 8 to 128 characters'],
    ['password', { password: 'x'.repeat(129) }, 'password must be 8 to 128 characters'],
  ])('answers 400 naming %s for %j, and writes nothing', async (field, change, message) => {
    const response = await post({ ...valid, email: 'new@example.org', ...change });
    expect(response.status).toBe(400);
    expect(messages(response.body)).toContain(message);
    expect(messages(response.body).every((each) => each.startsWith(`${field} `))).toBe(true);
    await nothingWritten();
  });

  it('answers 400 for a blank name, from the domain, in the same shape', async () => {
    const response = await post({ ...valid, email: 'blank@example.org', name: '   ' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: ['name must be 1 to 100 characters, not only spaces'] });
    await nothingWritten();
  });

  it('answers 400 naming every bad, missing and unknown field at once — a role cannot be chosen — and writes nothing', async () => {
    const response = await post({ email: 'nope', name: '', role: 'admin' });
    expect(response.status).toBe(400);
    const fields = new Set(messages(response.body).map((message) => message.replace(/^property /, '').split(' ')[0]));
    expect(fields).toEqual(new Set(['email', 'name', 'password', 'role']));
    expect(messages(response.body)).toContain('property role should not exist');
    await nothingWritten();
  });

  it('documents the endpoint in the OpenAPI document', async () => {
    const { body } = await request(tested.app.getHttpServer()).get('/docs-json');
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/api/users']!.post!.responses).sort()).toEqual(['201', '400', '409', '429']);
    const schemas = body.components.schemas as Record<string, { required: string[] }>;
    expect(schemas.RegisterUserRequest!.required.sort()).toEqual(['email', 'name', 'password']);
    expect(schemas.RegisterUserResponse!.required).toEqual(['userId']);
  });

  describe('signing in and the signed-in user', () => {
    const json = (method: 'post' | 'patch', path: string, body: unknown) =>
      request(tested.app.getHttpServer())[method](path).set('content-type', 'application/json').send(JSON.stringify(body));
    const ada = { email: 'countess@example.net', name: 'Ada Lovelace', password: 'analytical engine' };

    it('gives a token for the right email (any case) and password, which /api/users/me accepts', async () => {
      const { userId } = (await post(ada).expect(201)).body as { userId: string };
      const login = await json('post', '/api/auth/login', { email: 'COUNTESS@example.net', password: ada.password });
      expect(login.status).toBe(200);
      expect(login.body).toEqual({ accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), tokenType: 'Bearer', expiresIn: 3600 });
      const me = await request(tested.app.getHttpServer()).get('/api/users/me').set('authorization', `Bearer ${login.body.accessToken}`);
      expect(me.body).toEqual({ userId, email: 'countess@example.net', name: 'Ada Lovelace', role: 'customer', createdAt: expect.any(String), updatedAt: expect.any(String) });
    });

    it('answers 401 with the same words for a wrong password and an unknown email', async () => {
      const wrong = await json('post', '/api/auth/login', { email: ada.email, password: 'difference engine' });
      const unknown = await json('post', '/api/auth/login', { email: 'nobody@example.org', password: ada.password });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(wrong.body.message).toBe('The email or the password is wrong.');
      expect(unknown.body.message).toBe(wrong.body.message);
    });

    it('changes the name of the signed-in user, 400 naming a bad field, 401 without a token', async () => {
      const token = (await json('post', '/api/auth/login', { email: ada.email, password: ada.password })).body.accessToken as string;
      const changed = await json('patch', '/api/users/me', { name: 'Ada King' }).set('authorization', `Bearer ${token}`);
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Ada King', email: 'countess@example.net' });
      const bad = await json('patch', '/api/users/me', { name: '', role: 'admin' }).set('authorization', `Bearer ${token}`);
      expect(bad.status).toBe(400);
      expect(messages(bad.body)).toEqual(expect.arrayContaining(['name must be 1 to 100 characters', 'property role should not exist']));
      expect((await request(tested.app.getHttpServer()).get('/api/users/me')).status).toBe(401);
    });
  });
});
