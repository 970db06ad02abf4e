import type { RecordedEvent } from '@agora/event-sourcing';
import { rowProjection } from '@agora/projections';
import { USER_CATEGORY, type UserEvent } from '../domain/user.js';
import { UserRow } from './user.row.js';

export const USER_READ_SCHEMA = 'user_read';

/** Pure: a user's row after one of their events. */
export function evolveUserRow(row: UserRow | undefined, event: UserEvent): UserRow | undefined {
  if (event.type === 'user.registered.v1') {
    const { userId, email, name, role, passwordHash, at } = event.data;
    return Object.assign(new UserRow(), { userId, email, name, role, passwordHash, tokenVersion: 0, createdAt: new Date(at), updatedAt: new Date(at) });
  }
  if (!row) return row;
  switch (event.type) {
    case 'user.profile-changed.v1': {
      const { name, email, at } = event.data;
      return { ...row, ...(name !== undefined && { name }), ...(email !== undefined && { email }), updatedAt: new Date(at) };
    }
    case 'user.password-changed.v1': {
      const { passwordHash, tokenVersion, at } = event.data;
      return { ...row, passwordHash, tokenVersion, updatedAt: new Date(at) };
    }
    case 'user.signed-out.v1':
      return { ...row, tokenVersion: event.data.tokenVersion };
  }
}

export const usersProjection = rowProjection<UserRow>({
  name: 'user.users',
  schema: USER_READ_SCHEMA,
  // Only `user-<id>` streams: the claims (`user_email-…`) are another category.
  categories: [USER_CATEGORY],
  entity: UserRow,
  key: 'userId',
  rowPerStream: true,
  keyOf: (event) => (event.data as { userId?: string }).userId,
  evolve: (row, event) => evolveUserRow(row, event as RecordedEvent<UserEvent>),
});
