import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { deciderSpec } from '@agora/testing';
import { UserNotFound } from '../../domain/errors.js';
import { emailSetBy, userDecider } from '../../domain/user.js';
import { changedAt, passwordHash, registeredAt, user, userCommand, userId } from '../user-examples.js';

const spec = deciderSpec(userDecider);

describe('changing a profile', () => {
  it('records a new name, and only that', () =>
    spec.given(user.registered()).when(userCommand.changeProfile({ name: 'Ada King' })).then(user.profileChanged({ name: 'Ada King' })));
  it('records a new email, lower-cased', () =>
    spec.given(user.registered()).when(userCommand.changeProfile({ email: ' Countess@Lovelace.ORG' })).then(user.profileChanged({ email: 'countess@lovelace.org' })));
  it('records both at once', () =>
    spec
      .given(user.registered())
      .when(userCommand.changeProfile({ name: 'Ada King', email: 'countess@lovelace.org' }))
      .then(user.profileChanged({ name: 'Ada King', email: 'countess@lovelace.org' })));
  it('leaves out what does not change', () =>
    spec
      .given(user.registered())
      .when(userCommand.changeProfile({ name: 'Ada Lovelace', email: 'countess@lovelace.org' }))
      .then(user.profileChanged({ email: 'countess@lovelace.org' })));
  it('does nothing for the same name and the same email in other letters', () =>
    spec.given(user.registered()).when(userCommand.changeProfile({ name: ' Ada Lovelace', email: 'ADA@example.org' })).thenNothing());
  it('does nothing when nothing is asked', () => spec.given(user.registered()).when(userCommand.changeProfile({})).thenNothing());
  it('does nothing the second time', () =>
    spec.given(user.registered(), user.profileChanged({ name: 'Ada King' })).when(userCommand.changeProfile({ name: 'Ada King' })).thenNothing());

  it('refuses an unknown user', () => spec.given().when(userCommand.changeProfile({ name: 'Ada King' })).thenThrows(UserNotFound));
  it('refuses a bad email, naming field and rule', () =>
    spec.given(user.registered()).when(userCommand.changeProfile({ email: 'countess' })).thenThrows(/^email must be a valid email address/));
  it('refuses a blank name, naming field and rule', () =>
    spec.given(user.registered()).when(userCommand.changeProfile({ name: ' ' })).thenThrows('name must be 1 to 100 characters, not only spaces'));

  it('shows the change and when it happened, keeping the rest', () =>
    expect(fold(userDecider, [user.registered(), user.profileChanged({ email: 'countess@lovelace.org' })])).toEqual({
      status: 'registered',
      userId,
      email: 'countess@lovelace.org',
      name: 'Ada Lovelace',
      role: 'customer',
      passwordHash,
      tokenVersion: 0,
      createdAt: registeredAt,
      updatedAt: changedAt,
    }));

  it('tells which email address events set', () => {
    expect(emailSetBy([user.registered()])).toBe('ada@example.org');
    expect(emailSetBy([user.profileChanged({ name: 'Ada King' })])).toBeUndefined();
    expect(emailSetBy([user.registered(), user.profileChanged({ email: 'countess@lovelace.org' })])).toBe('countess@lovelace.org');
  });
});
