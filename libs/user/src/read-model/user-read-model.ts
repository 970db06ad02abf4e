import type { ReadModel } from '@agora/projections';
import { UserReadModel1795700000003, UserTokenVersion1796100000000 } from './user-read-model.migration.js';
import { UserRow } from './user.row.js';
import { USER_READ_SCHEMA, usersProjection } from './users.projection.js';

/** The user context's read side: schema `user_read`, filled by `user.users`. */
export const userReadModel: ReadModel = {
  schema: USER_READ_SCHEMA,
  entities: [UserRow],
  migrations: [UserReadModel1795700000003, UserTokenVersion1796100000000],
  projections: [usersProjection],
};
