import { describe, expect, it } from '@jest/globals';
import type { UserEvent } from '../domain/user.js';
import { changedAt, newPasswordHash, passwordHash, registeredAt, user, userId } from '../features/user-examples.js';
import { evolveUserRow } from './users.projection.js';

const fold = (events: UserEvent[]) => events.reduce(evolveUserRow, undefined);

describe('the users read model', () => {
  it('shows a registered user', () =>
    expect({ ...fold([user.registered()]) }).toEqual({
      userId,
      email: 'ada@example.org',
      name: 'Ada Lovelace',
      role: 'customer',
      passwordHash,
      tokenVersion: 0,
      createdAt: new Date(registeredAt),
      updatedAt: new Date(registeredAt),
    }));

  it('changes what a profile change carries, and when', () =>
    expect({ ...fold([user.registered(), user.profileChanged({ email: 'countess@lovelace.org' }), user.profileChanged({ name: 'Ada King' })]) }).toMatchObject({
      email: 'countess@lovelace.org',
      name: 'Ada King',
      createdAt: new Date(registeredAt),
      updatedAt: new Date(changedAt),
    }));

  it('keeps the new password hash and token version of a password change', () =>
    expect({ ...fold([user.registered(), user.passwordChanged(1)]) }).toMatchObject({ passwordHash: newPasswordHash, tokenVersion: 1, updatedAt: new Date(changedAt) }));
  it('keeps the token version of a sign-out, and nothing else changes', () =>
    expect({ ...fold([user.registered(), user.passwordChanged(1), user.signedOut(2)]) }).toEqual({ ...fold([user.registered(), user.passwordChanged(1)]), tokenVersion: 2 }));
  it('ignores a change of a user it never saw registered', () => expect(fold([user.profileChanged({ name: 'Ada King' })])).toBeUndefined());
});
