import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { normalizeEmail } from '../../domain/email-address.js';
import type { UserRole } from '../../domain/user.js';
import { UserRow } from '../../read-model/user.row.js';
import { NO_ONES_PASSWORD_HASH, passwordMatches } from '../passwords.js';

/** Checks a sign-in against the `user.users` read model, for whoever issues tokens. */
@Injectable()
export class UserCredentials {
  constructor(private readonly readModels: DataSource) {}

  /**
   * The user with this email (any letter case) and password, or `undefined`: the same
   * answer, after a bcrypt comparison of the same cost, for an unknown email as for a
   * wrong password, so neither the answer nor its timing tells which addresses exist.
   */
  async verify(email: string, password: string): Promise<{ userId: string; role: UserRole; tokenVersion: number } | undefined> {
    const row = await this.readModels.getRepository(UserRow).findOneBy({ email: normalizeEmail(email) });
    const matches = await passwordMatches(password, row?.passwordHash ?? NO_ONES_PASSWORD_HASH);
    return row && matches ? { userId: row.userId, role: row.role, tokenVersion: row.tokenVersion } : undefined;
  }
}
