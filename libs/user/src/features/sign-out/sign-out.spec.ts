import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { deciderSpec } from '@agora/testing';
import { UserNotFound } from '../../domain/errors.js';
import { userDecider } from '../../domain/user.js';
import { registeredAt, user, userCommand } from '../user-examples.js';

const spec = deciderSpec(userDecider);

describe('signing out', () => {
  it('moves the token version on', () => spec.given(user.registered()).when(userCommand.signOut()).then(user.signedOut(1)));
  it('moves it on again every time', () => spec.given(user.registered(), user.signedOut(1), user.passwordChanged(2)).when(userCommand.signOut()).then(user.signedOut(3)));
  it('refuses an unknown user', () => spec.given().when(userCommand.signOut()).thenThrows(UserNotFound));
  it('keeps the new version and leaves the rest of the user as it was', () =>
    expect(fold(userDecider, [user.registered(), user.signedOut(1)])).toEqual({ ...fold(userDecider, [user.registered()]), tokenVersion: 1, updatedAt: registeredAt }));
});
