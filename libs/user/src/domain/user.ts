import type { Decider, Event } from '@agora/event-sourcing';
import { requireEmail } from './email-address.js';
import { InvalidUserField, UserAlreadyRegistered, UserNotFound, WrongPassword } from './errors.js';

// A user: who they are, how they sign in, what they may do. Stream `user-<userId>`.
// The stream alone cannot keep an email address unique across users: that is the job of
// the email claims (email-claim.ts), taken before an event that sets an address lands here.
//
// The token version says which access tokens still count: a token carries the version
// its user had when it was issued, and a password change, a reset and a sign-out move the
// version on, so that every token issued before is refused from then on.

export const USER_ROLES = ['customer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type RegisterUser = {
  readonly type: 'register';
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  /** A bcrypt hash: the domain never sees the password. */
  readonly passwordHash: string;
  /** ISO-8601 instant. */
  readonly at: string;
};
/** Fields left out stay as they are. */
export type ChangeProfile = { readonly type: 'change-profile'; readonly userId: string; readonly name?: string; readonly email?: string; readonly at: string };
/**
 * The signed-in user's new password. The caller checks the current password against the
 * user's hash (bcrypt, outside the domain) and names that hash: if the password changed
 * in between, the change is refused as a wrong password.
 */
export type ChangePassword = {
  readonly type: 'change-password';
  readonly userId: string;
  /** The hash the current password was found to match. */
  readonly verifiedPasswordHash: string;
  readonly passwordHash: string;
  readonly at: string;
};
/** An administrator's new password for a user, without the old one. */
export type ResetPassword = { readonly type: 'reset-password'; readonly userId: string; readonly passwordHash: string; readonly at: string };
/** Ends every session of the user: the tokens issued so far no longer count. */
export type SignOut = { readonly type: 'sign-out'; readonly userId: string; readonly at: string };
export type UserCommand = RegisterUser | ChangeProfile | ChangePassword | ResetPassword | SignOut;

export type UserRegistered = Event<'user.registered.v1', { userId: string; email: string; name: string; role: UserRole; passwordHash: string; at: string }>;
/** Carries only what changed. */
export type UserProfileChanged = Event<'user.profile-changed.v1', { userId: string; name?: string; email?: string; at: string }>;
/** A new password, by the user (`reset: false`) or by an administrator; `tokenVersion` is the user's new one. */
export type UserPasswordChanged = Event<'user.password-changed.v1', { userId: string; passwordHash: string; reset: boolean; tokenVersion: number; at: string }>;
export type UserSignedOut = Event<'user.signed-out.v1', { userId: string; tokenVersion: number; at: string }>;
export type UserEvent = UserRegistered | UserProfileChanged | UserPasswordChanged | UserSignedOut;

export const USER_EVENT_TYPES = Object.keys({
  'user.registered.v1': true,
  'user.profile-changed.v1': true,
  'user.password-changed.v1': true,
  'user.signed-out.v1': true,
} satisfies Record<UserEvent['type'], true>) as UserEvent['type'][];

export interface RegisteredUser {
  readonly status: 'registered';
  readonly userId: string;
  /** Normalized: trimmed, lower-cased. */
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  readonly passwordHash: string;
  /** Access tokens of an older version are refused; 0 at registration. */
  readonly tokenVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}
export type User = { readonly status: 'none' } | RegisteredUser;

export const USER_CATEGORY = 'user';
const MAX_NAME_LENGTH = 100;

function decide(command: UserCommand, state: User): UserEvent[] {
  switch (command.type) {
    case 'register': {
      const email = requireEmail(command.email);
      const name = requireName(command.name);
      if (!USER_ROLES.includes(command.role)) throw new InvalidUserField('role', `must be one of ${USER_ROLES.join(', ')}`);
      if (!command.passwordHash) throw new InvalidUserField('passwordHash', 'must not be empty');
      const { userId, role, passwordHash, at } = command;
      if (state.status === 'registered') {
        // The same registration again (a retry, or its completion by another request) is done.
        const same = state.email === email && state.name === name && state.role === role && state.passwordHash === passwordHash;
        if (same) return [];
        throw new UserAlreadyRegistered(userId);
      }
      return [{ type: 'user.registered.v1', data: { userId, email, name, role, passwordHash, at } }];
    }

    case 'change-profile': {
      if (state.status === 'none') throw new UserNotFound(command.userId);
      const name = command.name === undefined ? undefined : requireName(command.name);
      const email = command.email === undefined ? undefined : requireEmail(command.email);
      const changes = {
        ...(name !== undefined && name !== state.name && { name }),
        ...(email !== undefined && email !== state.email && { email }),
      };
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'user.profile-changed.v1', data: { userId: state.userId, ...changes, at: command.at } }];
    }
    case 'change-password':
    case 'reset-password': {
      if (state.status === 'none') throw new UserNotFound(command.userId);
      if (command.type === 'change-password' && command.verifiedPasswordHash !== state.passwordHash) throw new WrongPassword();
      if (!command.passwordHash) throw new InvalidUserField('passwordHash', 'must not be empty');
      const { passwordHash, at } = command;
      return [{ type: 'user.password-changed.v1', data: { userId: state.userId, passwordHash, reset: command.type === 'reset-password', tokenVersion: state.tokenVersion + 1, at } }];
    }
    case 'sign-out': {
      if (state.status === 'none') throw new UserNotFound(command.userId);
      return [{ type: 'user.signed-out.v1', data: { userId: state.userId, tokenVersion: state.tokenVersion + 1, at: command.at } }];
    }

    default: {
      const unhandled: never = command;
      throw new Error(`Unhandled user command ${JSON.stringify(unhandled)}`);
    }
  }
}

function evolve(state: User, event: UserEvent): User {
  switch (event.type) {
    case 'user.registered.v1': {
      const { userId, email, name, role, passwordHash, at } = event.data;
      return { status: 'registered', userId, email, name, role, passwordHash, tokenVersion: 0, createdAt: at, updatedAt: at };
    }
    case 'user.profile-changed.v1': {
      // A profile change always follows the registration.
      if (state.status === 'none') return state;
      const { name, email, at } = event.data;
      return { ...state, ...(name !== undefined && { name }), ...(email !== undefined && { email }), updatedAt: at };
    }
    case 'user.password-changed.v1': {
      if (state.status === 'none') return state;
      const { passwordHash, tokenVersion, at } = event.data;
      return { ...state, passwordHash, tokenVersion, updatedAt: at };
    }
    case 'user.signed-out.v1':
      // Signing out changes no detail of the user: `updatedAt` stays.
      return state.status === 'none' ? state : { ...state, tokenVersion: event.data.tokenVersion };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled user event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Trimmed; 1 to 100 characters and not only spaces. */
function requireName(name: string): string {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_NAME_LENGTH) throw new InvalidUserField('name', `must be 1 to ${MAX_NAME_LENGTH} characters, not only spaces`);
  return trimmed;
}

export const userDecider: Decider<UserCommand, UserEvent, User> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};

/** The email address these events give their user, if they set one. */
export function emailSetBy(events: readonly UserEvent[]): string | undefined {
  return events.reduce<string | undefined>((email, event) => ('email' in event.data ? event.data.email : undefined) ?? email, undefined);
}
