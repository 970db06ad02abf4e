/**
 * The token version of a user the app has no message about: the one every user gets at
 * registration, before any password change, reset or sign-out.
 */
export const INITIAL_TOKEN_VERSION = 0;

/**
 * Whether a token of `tokenVersion` still counts, given the latest version `known` of its
 * user (`undefined`: none, so the initial one). A token older than that was revoked. A
 * token newer than that was signed by the user context after a change this app has not
 * heard of yet: it counts, since only the user context signs tokens, with the user's
 * version of the moment.
 */
export function tokenCounts(known: number | undefined, tokenVersion: number): boolean {
  return tokenVersion >= (known ?? INITIAL_TOKEN_VERSION);
}

/**
 * The version to keep once `incoming` arrives where `stored` is kept: the greater. A
 * message delivered again, or after a later one, never moves a version back.
 */
export function laterVersion(stored: number | undefined, incoming: number): number {
  return stored === undefined ? incoming : Math.max(stored, incoming);
}
