import { Injectable } from '@nestjs/common';
import type { Role, TokenHolders } from '@agora/platform';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { UserRow } from '../../read-model/user.row.js';
import { isUserId } from '../user-accounts.js';

/**
 * How long a user's role and token version are reused for the tokens of every request
 * before the read model is asked again. A password change, reset or sign-out made by
 * this process takes effect at once (its handler calls `forget`); one made by another
 * instance of the app, within this long.
 */
export const TOKEN_HOLDER_CACHE_MS = 5_000;
/** Users kept at most; the least recently used goes first. */
const MAX_CACHED = 10_000;

interface Cached {
  readonly role: Role;
  readonly tokenVersion: number;
}

/** `TokenHolders` from the `user_read.users` read model, cached briefly per user. */
@Injectable()
export class UserTokenHolders implements TokenHolders {
  private readonly cache = new LRUCache<string, Cached>({ max: MAX_CACHED, ttl: TOKEN_HOLDER_CACHE_MS });

  constructor(private readonly readModels: DataSource) {}

  async roleFor(userId: string, tokenVersion: number): Promise<Role | undefined> {
    if (!isUserId(userId)) return undefined;
    let current = this.cache.get(userId);
    // A token newer than the cache knows of was issued after a change the cache has missed.
    if (!current || tokenVersion > current.tokenVersion) current = await this.read(userId);
    return current && current.tokenVersion === tokenVersion ? current.role : undefined;
  }

  /** Drops what is cached of the user: for a change of their token version made here. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }

  private async read(userId: string): Promise<Cached | undefined> {
    const row = await this.readModels.getRepository(UserRow).findOne({ where: { userId }, select: { role: true, tokenVersion: true } });
    if (!row) return undefined;
    const entry = { role: row.role, tokenVersion: row.tokenVersion };
    this.cache.set(userId, entry);
    return entry;
  }
}
