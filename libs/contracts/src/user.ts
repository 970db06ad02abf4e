import { z } from 'zod';

/**
 * User's integration events; keyed by user id. Every message on `user.events.v1` carries
 * all its key stands for, so that the latest one per key is enough: the topic is
 * compacted (`COMPACTED_TOPICS`), and a consumer that reads it from its beginning learns
 * the current state of every user that ever had one published.
 */
export const userEvents = {
  /**
   * The user's token version moved on (a password change, an administrator's reset, a
   * sign-out): access tokens of an older `ver` no longer count. Versions only grow; a user
   * never named here still has the version of their registration, 0.
   */
  'user.token-version-changed.v1': z.object({ userId: z.uuid(), tokenVersion: z.number().int().positive() }).strict(),
};

export type UserEventType = keyof typeof userEvents;
