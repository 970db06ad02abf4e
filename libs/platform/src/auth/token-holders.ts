import { LRUCache } from 'lru-cache';
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

/**
 * How long what a `TokenHolders` knows of a user is reused for the tokens of every request
 * before it is read again. A change this process applies takes effect at once (it calls
 * `forget`); one applied by another instance of the app, within this long.
 */
export const TOKEN_HOLDER_CACHE_MS = 5_000;
/** Users kept at most; the least recently used goes first. */
const MAX_CACHED_USERS = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `userId` can name a user at all (the user context makes them UUIDs). */
export function isUserId(userId: string): boolean {
  return UUID.test(userId);
}

/** What a `TokenHolders` knows per user, as `load` reads it, cached for `TOKEN_HOLDER_CACHE_MS`. */
export class TokenHolderCache<Known extends object | number> {
  private readonly cache = new LRUCache<string, Known>({ max: MAX_CACHED_USERS, ttl: TOKEN_HOLDER_CACHE_MS });

  /** `load` answers `undefined` for no such user: that is not cached. */
  constructor(private readonly load: (userId: string) => Promise<Known | undefined>) {}

  /** What is known of the user: from the cache unless `stale` says otherwise, else read (and kept). */
  async get(userId: string, stale?: (cached: Known) => boolean): Promise<Known | undefined> {
    const cached = this.cache.get(userId);
    if (cached !== undefined && !stale?.(cached)) return cached;
    const known = await this.load(userId);
    if (known !== undefined) this.cache.set(userId, known);
    return known;
  }

  /** Drops what is cached of the user: for a change of their token version applied here. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }
}
