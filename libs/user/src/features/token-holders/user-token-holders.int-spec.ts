import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readSideForTest, type ReadSideForTest } from '../../../../testing/src/read-models.js';
import { UserRow } from '../../read-model/user.row.js';
import { userReadModel } from '../../read-model/user-read-model.js';
import { TOKEN_HOLDER_CACHE_MS } from '@agora/platform';
import { UserTokenHolders } from './user-token-holders.js';

/** Which tokens count, as the users read model in PostgreSQL says, and how long a cached answer lasts. */
describe('the token holders of the users read model', () => {
  let side: ReadSideForTest;
  let holders: UserTokenHolders;

  beforeAll(async () => {
    side = await readSideForTest('user_token_holders', userReadModel);
    holders = new UserTokenHolders(side.readModels);
  });
  afterAll(() => side.close());

  const users = () => side.readModels.getRepository(UserRow);
  async function user(role: 'customer' | 'admin' = 'customer', tokenVersion = 0): Promise<string> {
    const userId = randomUUID();
    const at = new Date();
    await users().insert(Object.assign(new UserRow(), { userId, email: `${userId}@example.org`, name: 'x', role, passwordHash: 'h', tokenVersion, createdAt: at, updatedAt: at }));
    return userId;
  }

  it("gives the user's current role for a token of their current version, and nothing for another version", async () => {
    const userId = await user('admin', 2);
    expect(await holders.roleFor(userId, 2)).toBe('admin');
    expect(await holders.roleFor(userId, 1)).toBeUndefined();
    expect(await holders.roleFor(userId, 3)).toBeUndefined();
  });

  it('gives nothing for a user who does not exist, or an id that is no UUID', async () => {
    expect(await holders.roleFor(randomUUID(), 0)).toBeUndefined();
    expect(await holders.roleFor('not-a-uuid', 0)).toBeUndefined();
  });

  it('keeps an answer for a while, unless told to forget it', async () => {
    const userId = await user();
    expect(await holders.roleFor(userId, 0)).toBe('customer');
    await users().update({ userId }, { tokenVersion: 1 });
    // Another instance moved the version on: this one still accepts the old token for now…
    expect(await holders.roleFor(userId, 0)).toBe('customer');
    // …and a token of the new version, newer than what it keeps, makes it read again.
    expect(await holders.roleFor(userId, 1)).toBe('customer');
    expect(await holders.roleFor(userId, 0)).toBeUndefined();
    await users().update({ userId }, { tokenVersion: 2 });
    holders.forget(userId);
    expect(await holders.roleFor(userId, 1)).toBeUndefined();
    expect(await holders.roleFor(userId, 2)).toBe('customer');
  });

  it(`reads again once an answer is ${TOKEN_HOLDER_CACHE_MS} ms old`, async () => {
    const userId = await user();
    expect(await holders.roleFor(userId, 0)).toBe('customer');
    const changed = Date.now();
    await users().update({ userId }, { tokenVersion: 1 });
    while ((await holders.roleFor(userId, 0)) !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - changed).toBeLessThanOrEqual(TOKEN_HOLDER_CACHE_MS + 1_000);
  }, 15_000);
});
