import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserNotFound } from '../../domain/errors.js';
import { UserRow } from '../../read-model/user.row.js';
import { isUserId } from '../user-accounts.js';
import { UserView } from './user.view.js';

/** Reads a user from the `user.users` read model; throws `UserNotFound`. */
@Injectable()
export class GetUserHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute(userId: string): Promise<UserView> {
    const row = isUserId(userId) ? await this.readModels.getRepository(UserRow).findOneBy({ userId }) : null;
    if (!row) throw new UserNotFound(userId);
    return UserView.of(row);
  }
}
