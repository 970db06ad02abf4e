import type { Decider, Event } from '@agora/event-sourcing';
import { requireEmail } from './email-address.js';
import { InvalidUserField, UserAlreadyRegistered, UserNotFound } from './errors.js';

// A user: who they are, how they sign in, what they may do. Stream `user-<userId>`.
// The stream alone cannot keep an email address unique across users: that is the job of
// the email claims (email-claim.ts), taken before an event that sets an address lands here.

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
export type UserCommand = RegisterUser | ChangeProfile;

export type UserRegistered = Event<'user.registered.v1', { userId: string; email: string; name: string; role: UserRole; passwordHash: string; at: string }>;
/** Carries only what changed. */
export type UserProfileChanged = Event<'user.profile-changed.v1', { userId: string; name?: string; email?: string; at: string }>;
export type UserEvent = UserRegistered | UserProfileChanged;

export interface RegisteredUser {
  readonly status: 'registered';
  readonly userId: string;
  /** Normalized: trimmed, lower-cased. */
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  readonly passwordHash: string;
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
      return { status: 'registered', userId, email, name, role, passwordHash, createdAt: at, updatedAt: at };
    }
    case 'user.profile-changed.v1': {
      // A profile change always follows the registration.
      if (state.status === 'none') return state;
      const { name, email, at } = event.data;
      return { ...state, ...(name !== undefined && { name }), ...(email !== undefined && { email }), updatedAt: at };
    }
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
  return events.reduce<string | undefined>((email, event) => event.data.email ?? email, undefined);
}
