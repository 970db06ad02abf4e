import type { RecordedEvent } from '@agora/event-sourcing';
import type { Message } from '@agora/contracts';
import type { OutboundMapping } from '@agora/messaging';
import { USER_CATEGORY, type UserEvent } from '../domain/user.js';

/**
 * What the other apps of the distributed mode need of the user context: the moves of a
 * user's token version, so that their `AuthGuard` refuses revoked tokens too (docs/adr/0015).
 * Nothing else leaves: no email address, name or password hash. Roles are not published:
 * a user's role is set at registration and never changes, so the token's own claim holds.
 */
export class UserOutboundMapping implements OutboundMapping<Message> {
  readonly name = 'user';
  readonly categories = [USER_CATEGORY];

  map(recorded: RecordedEvent): readonly Message[] {
    const event = recorded as unknown as UserEvent;
    switch (event.type) {
      case 'user.password-changed.v1':
      case 'user.signed-out.v1': {
        const { userId, tokenVersion } = event.data;
        return [{ type: 'user.token-version-changed.v1', key: userId, data: { userId, tokenVersion } }];
      }
      default:
        return []; // a registration leaves the version at 0, which every app assumes; a profile stays here
    }
  }
}
