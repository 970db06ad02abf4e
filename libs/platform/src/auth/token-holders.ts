import type { Role } from './principal.js';

/**
 * Who may still use a token, as the user context knows: bound by a host that has the
 * user context, under `TOKEN_HOLDERS`, and asked by the `AuthGuard` for every token.
 */
export interface TokenHolders {
  /**
   * The current role of the user `userId` if a token of `tokenVersion` still counts for
   * them; `undefined` when there is no such user or the token is older than their
   * latest password change or sign-out.
   */
  roleFor(userId: string, tokenVersion: number): Promise<Role | undefined>;
}

export const TOKEN_HOLDERS = Symbol('TokenHolders');
