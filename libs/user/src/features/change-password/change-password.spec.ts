import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { deciderSpec } from '@agora/testing';
import { UserNotFound, WrongPassword } from '../../domain/errors.js';
import { userDecider } from '../../domain/user.js';
import { changedAt, newPasswordHash, passwordHash, user, userCommand } from '../user-examples.js';

const spec = deciderSpec(userDecider);

describe('changing a password', () => {
  it('records the new hash and moves the token version on', () =>
    spec.given(user.registered()).when(userCommand.changePassword()).then(user.passwordChanged(1)));
  it('moves on from the version the user is at', () =>
    spec.given(user.registered(), user.signedOut(1), user.passwordChanged(2)).when(userCommand.changePassword(newPasswordHash, passwordHash)).then(user.passwordChanged(3, false, passwordHash)));
  it('refuses when the current password was checked against another hash, as a wrong password', () =>
    spec.given(user.registered(), user.passwordChanged(1)).when(userCommand.changePassword(passwordHash)).thenThrows(WrongPassword));
  it('says so in words', () => spec.given(user.registered(), user.passwordChanged(1)).when(userCommand.changePassword()).thenThrows('The current password is wrong.'));
  it('refuses an unknown user', () => spec.given().when(userCommand.changePassword()).thenThrows(UserNotFound));
  it('refuses an empty hash, naming the field', () => spec.given(user.registered()).when(userCommand.changePassword(passwordHash, '')).thenThrows('passwordHash must not be empty'));

  it('keeps the new hash and version, and when it changed', () =>
    expect(fold(userDecider, [user.registered(), user.passwordChanged(1)])).toMatchObject({ passwordHash: newPasswordHash, tokenVersion: 1, updatedAt: changedAt }));
});

describe('resetting a password', () => {
  it('records the new hash as a reset, without the old password, and moves the token version on', () =>
    spec.given(user.registered(), user.signedOut(1)).when(userCommand.resetPassword()).then(user.passwordChanged(2, true)));
  it('refuses an unknown user', () => spec.given().when(userCommand.resetPassword()).thenThrows(UserNotFound));
});
