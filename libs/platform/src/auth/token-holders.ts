import type { Role } from './principal.js';

/**
 * Who may still use a token: bound under `TOKEN_HOLDERS` by every host, and asked by the
 * `AuthGuard` for every token. A host with the user context answers from its users read
 * model; the other apps of the distributed mode from their table of token versions, fed
 * by the user context's `user.token-version-changed.v1` messages (docs/adr/0015).
 */
export interface TokenHolders {
  /**
   * The current role of the user `userId` if a token of `tokenVersion` still counts for
   * them; `undefined` when there is no such user or the token is older than their
   * latest password change or sign-out. `tokenRole` is the role the token claims: the
   * answer where the holder knows no other (a role never changes after registration).
   */
  roleFor(userId: string, tokenVersion: number, tokenRole: Role): Promise<Role | undefined>;
}

export const TOKEN_HOLDERS = Symbol('TokenHolders');
