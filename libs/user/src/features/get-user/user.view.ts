import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type RegisteredUser, type UserRole } from '../../domain/user.js';
import type { UserRow } from '../../read-model/user.row.js';

/** A user as the API shows them: never with the password hash. */
export class UserView {
  @ApiProperty({ format: 'uuid', example: '3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3c' })
  userId!: string;

  @ApiProperty({ description: 'Lower-cased.', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ enum: USER_ROLES, example: 'customer' })
  role!: UserRole;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static of(user: UserRow | RegisteredUser): UserView {
    const { userId, email, name, role } = user;
    const instant = (at: Date | string) => new Date(at).toISOString();
    return Object.assign(new UserView(), { userId, email, name, role, createdAt: instant(user.createdAt), updatedAt: instant(user.updatedAt) });
  }
}
