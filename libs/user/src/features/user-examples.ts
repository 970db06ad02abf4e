import type { ChangePassword, ChangeProfile, RegisterUser, ResetPassword, SignOut, UserEvent } from '../domain/user.js';

// Events and commands for the given/when/then specs of the use cases: one user, Ada.

export const userId = '3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3c';
export const otherUserId = '8d1c0b9a-2e3f-4a5b-9c6d-7e8f9a0b1c2d';
export const passwordHash = '$2b$10$abcdefghijklmnopqrstuuN0Zq1m0y9p3ZC0m5rX3uQGxHn3l3w2a';
export const registeredAt = '2026-03-01T10:00:00.000Z';
export const changedAt = '2026-03-02T11:00:00.000Z';
export const newPasswordHash = '$2b$10$zyxwvutsrqponmlkjihgfeuN0Zq1m0y9p3ZC0m5rX3uQGxHn3l3w2a';

export const user = {
  registered: (overrides: Partial<{ email: string; name: string; role: 'customer' | 'admin' }> = {}): UserEvent => ({
    type: 'user.registered.v1',
    data: { userId, email: 'ada@example.org', name: 'Ada Lovelace', role: 'customer', passwordHash, at: registeredAt, ...overrides },
  }),
  profileChanged: (changes: { name?: string; email?: string }): UserEvent => ({ type: 'user.profile-changed.v1', data: { userId, ...changes, at: changedAt } }),
  passwordChanged: (tokenVersion: number, reset = false, hash = newPasswordHash): UserEvent => ({
    type: 'user.password-changed.v1',
    data: { userId, passwordHash: hash, reset, tokenVersion, at: changedAt },
  }),
  signedOut: (tokenVersion: number): UserEvent => ({ type: 'user.signed-out.v1', data: { userId, tokenVersion, at: changedAt } }),
};

export const userCommand = {
  register: (overrides: Partial<Omit<RegisterUser, 'type'>> = {}): RegisterUser => ({
    type: 'register',
    userId,
    email: 'ada@example.org',
    name: 'Ada Lovelace',
    role: 'customer',
    passwordHash,
    at: registeredAt,
    ...overrides,
  }),
  changeProfile: (changes: { name?: string; email?: string }): ChangeProfile => ({ type: 'change-profile', userId, ...changes, at: changedAt }),
  changePassword: (verifiedPasswordHash = passwordHash, hash = newPasswordHash): ChangePassword => ({
    type: 'change-password',
    userId,
    verifiedPasswordHash,
    passwordHash: hash,
    at: changedAt,
  }),
  resetPassword: (hash = newPasswordHash): ResetPassword => ({ type: 'reset-password', userId, passwordHash: hash, at: changedAt }),
  signOut: (): SignOut => ({ type: 'sign-out', userId, at: changedAt }),
};
