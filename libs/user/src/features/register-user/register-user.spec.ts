import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '@agora/testing';
import { InvalidUserField, UserAlreadyRegistered } from '../../domain/errors.js';
import { requireAcceptablePassword } from '../../domain/password-policy.js';
import { userDecider, type UserRole } from '../../domain/user.js';
import { user, userCommand } from '../user-examples.js';

const spec = deciderSpec(userDecider);

describe('registering a user', () => {
  it('records the user with the password hash', () => spec.given().when(userCommand.register()).then(user.registered()));
  it('keeps the email trimmed and lower-cased, and the name trimmed', () =>
    spec.given().when(userCommand.register({ email: '  Ada@Example.ORG ', name: ' Ada Lovelace  ' })).then(user.registered()));
  it('registers an admin', () => spec.given().when(userCommand.register({ role: 'admin' })).then(user.registered({ role: 'admin' })));

  it('does nothing when the same registration comes again', () => spec.given(user.registered()).when(userCommand.register()).thenNothing());
  it('refuses another registration for the same user id', () =>
    spec.given(user.registered()).when(userCommand.register({ name: 'Someone Else' })).thenThrows(UserAlreadyRegistered));

  it.each(['ada', 'ada@example', 'ada lovelace@example.org', '', `${'a'.repeat(250)}@x.org`])('refuses the email %p, naming field and rule', (email) =>
    spec.given().when(userCommand.register({ email })).thenThrows(/^email must be a valid email address/));
  it.each(['', '   ', 'x'.repeat(101)])('refuses the name %p, naming field and rule', (name) =>
    spec.given().when(userCommand.register({ name })).thenThrows('name must be 1 to 100 characters, not only spaces'));
  it('accepts a name of 100 characters', () =>
    spec.given().when(userCommand.register({ name: 'x'.repeat(100) })).then(user.registered({ name: 'x'.repeat(100) })));
  it('refuses an unknown role', () => spec.given().when(userCommand.register({ role: 'root' as UserRole })).thenThrows('role must be one of customer, admin'));
  it('refuses an empty password hash', () => spec.given().when(userCommand.register({ passwordHash: '' })).thenThrows(InvalidUserField));
});

describe('the password rule', () => {
  it.each(['1234567', 'x'.repeat(129), '🔑'.repeat(129)])('refuses %p', (password) =>
    expect(() => requireAcceptablePassword(password)).toThrow('password must be 8 to 128 characters'));
  it.each(['12345678', 'x'.repeat(128), '🔑'.repeat(128)])('accepts %p, counting characters rather than bytes', (password) =>
    expect(() => requireAcceptablePassword(password)).not.toThrow());
});
