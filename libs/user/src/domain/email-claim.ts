import type { Decider, Event } from '@agora/event-sourcing';
import { EmailTaken } from './errors.js';
import type { UserEvent } from './user.js';

// Who may use an email address. Stream `user_email-<sha256 of the normalized address>`
// (the hash is computed outside the domain: it keeps addresses out of stream names and
// gives them one fixed-length id). One address, one stream: its first claim is appended
// with expected revision 'no-stream', so of two users registering one address at once,
// exactly one gets it.
//
// Claiming and using an address are two appends to two streams: first the claim here,
// then the user's event on `user-<userId>`. A claim therefore records the user events it
// is for and the revision of the user stream they land at, and what a claim is worth is
// read from that user stream (`standingOf`):
//   pending: nothing has landed at that revision yet: the write is on its way, or the
//     process died between the two appends. Whoever finds the claim pending completes it
//     by appending the recorded events at exactly that revision (same outcome whoever
//     wins the race), then looks again. So a registration interrupted by a crash is
//     finished, with its own data and password, by the next attempt on that address
//     (which then gets `EmailTaken`); the address is never blocked for good.
//   in use: the user's stream is past that revision and its current address is this one.
//   lapsed: the user's stream is past that revision but uses another address: it moved
//     away (an email change frees the old address at once, with no third append that a
//     crash could lose), or its slot went to another write and the claimed one can no
//     longer land. Another user may then claim the address, naming the claim that lapsed.
// A claim moves only pending → in use → lapsed, or pending → lapsed; a lapsed claim never
// comes back (using the address again takes a new claim), which is what makes the
// evidence named in a take-over sound.

export type ClaimEmail = {
  readonly type: 'claim-email';
  /** Normalized. */
  readonly email: string;
  readonly userId: string;
  /** Revision of `user-<userId>` at which `events` land (0 for a registration). */
  readonly revision: number;
  readonly events: readonly UserEvent[];
  readonly at: string;
  /** The other user's claim that the caller found lapsed, if the address is claimed. */
  readonly lapsed?: { readonly userId: string; readonly revision: number };
};
export type EmailClaimCommand = ClaimEmail;

export type EmailClaimed = Event<'user.email-claimed.v1', { email: string; userId: string; revision: number; events: UserEvent[]; at: string }>;
export type EmailClaimEvent = EmailClaimed;

export const EMAIL_CLAIM_EVENT_TYPES: readonly EmailClaimEvent['type'][] = ['user.email-claimed.v1'];

export type EmailClaim =
  | { readonly status: 'unclaimed' }
  | { readonly status: 'claimed'; readonly email: string; readonly userId: string; readonly revision: number; readonly events: readonly UserEvent[] };

export type ClaimStanding = 'pending' | 'in-use' | 'lapsed';

/** What the claim's user stream says: its last revision (`undefined` while it does not exist) and its current address. */
export interface ClaimHolder {
  readonly revision: number | undefined;
  readonly email: string | undefined;
}

export const EMAIL_CLAIM_CATEGORY = 'user_email';

export function standingOf(claim: Extract<EmailClaim, { status: 'claimed' }>, holder: ClaimHolder): ClaimStanding {
  if ((holder.revision ?? -1) < claim.revision) return 'pending';
  return holder.email === claim.email ? 'in-use' : 'lapsed';
}

function decide(command: EmailClaimCommand, state: EmailClaim): EmailClaimEvent[] {
  const { email, userId, revision, events, at, lapsed } = command;
  if (state.status === 'claimed') {
    if (state.userId === userId) {
      // The user's own claim for the same write: a retry. For a later write it is renewed.
      if (state.revision === revision) return [];
    } else if (lapsed?.userId !== state.userId || lapsed.revision !== state.revision) {
      throw new EmailTaken(email);
    }
  }
  return [{ type: 'user.email-claimed.v1', data: { email, userId, revision, events: [...events], at } }];
}

function evolve(_state: EmailClaim, event: EmailClaimEvent): EmailClaim {
  const { email, userId, revision, events } = event.data;
  return { status: 'claimed', email, userId, revision, events };
}

export const emailClaimDecider: Decider<EmailClaimCommand, EmailClaimEvent, EmailClaim> = {
  decide,
  evolve,
  initialState: () => ({ status: 'unclaimed' }),
};
