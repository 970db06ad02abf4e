import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { UserRole } from '../domain/user.js';

/**
 * A user as queries see it: table `users` in schema `user_read`. The address is unique, as
 * a constraint checked at commit: within one projected batch a user may take an address
 * another user leaves later in the same batch (see the migration).
 */
@Entity({ name: 'users' })
@Unique('users_email_key', ['email'], { deferrable: 'INITIALLY DEFERRED' })
export class UserRow {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  /** Normalized: trimmed, lower-cased. */
  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: UserRole;

  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  /** Access tokens of an older version are refused. */
  @Column('integer', { name: 'token_version' })
  tokenVersion!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
