import { Injectable } from '@nestjs/common';
import { isUserId, TokenHolderCache, type Role, type TokenHolders } from '@agora/platform';
import { DataSource } from 'typeorm';
import { UserRow } from '../../read-model/user.row.js';

interface Known {
  readonly role: Role;
  readonly tokenVersion: number;
}

/**
 * `TokenHolders` from the `user_read.users` read model, cached briefly per user
 * (`TOKEN_HOLDER_CACHE_MS`): a password change, reset or sign-out made by this process
 * takes effect at once (its handler calls `forget`).
 */
@Injectable()
export class UserTokenHolders implements TokenHolders {
  private readonly known = new TokenHolderCache<Known>((userId) => this.read(userId));

  constructor(private readonly readModels: DataSource) {}

  async roleFor(userId: string, tokenVersion: number): Promise<Role | undefined> {
    if (!isUserId(userId)) return undefined;
    // A token newer than the cache knows of was issued after a change the cache has missed.
    const current = await this.known.get(userId, (cached) => tokenVersion > cached.tokenVersion);
    return current && current.tokenVersion === tokenVersion ? current.role : undefined;
  }

  /** Drops what is cached of the user: for a change of their token version made here. */
  forget(userId: string): void {
    this.known.forget(userId);
  }

  private async read(userId: string): Promise<Known | undefined> {
    const row = await this.readModels.getRepository(UserRow).findOne({ where: { userId }, select: { role: true, tokenVersion: true } });
    return row ? { role: row.role, tokenVersion: row.tokenVersion } : undefined;
  }
}
