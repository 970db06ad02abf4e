import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  EVENT_STORE,
  WrongExpectedVersion,
  fold,
  streamName,
  withMetadata,
  type Event,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type MessageContext,
} from '@agora/event-sourcing';
import { normalizeEmail } from '../domain/email-address.js';
import { EMAIL_CLAIM_CATEGORY, emailClaimDecider, standingOf, type EmailClaim, type EmailClaimEvent } from '../domain/email-claim.js';
import { EmailTaken } from '../domain/errors.js';
import { USER_CATEGORY, emailSetBy, userDecider, type User, type UserEvent } from '../domain/user.js';

/** The claim stream of an address, whatever its letter case or surrounding spaces. */
export function emailClaimStream(email: string): string {
  return streamName(EMAIL_CLAIM_CATEGORY, createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex'));
}

export function userStream(userId: string): string {
  return streamName(USER_CATEGORY, userId);
}

/** Whether `userId` can name a user at all (ids are UUIDs). */
export { isUserId } from '@agora/platform';

/** A user stream as read: the state, its last revision and that event's global position. */
export interface LoadedUser {
  readonly state: User;
  readonly revision: number | undefined;
  readonly position: GlobalPosition | undefined;
}

/** Other writers kept winning; rare enough to give up and answer 409. */
const MAX_ATTEMPTS = 10;

/**
 * Writes to user streams, keeping every email address to one user (domain/email-claim.ts
 * says how and what a crash between the claim and the user's event leaves behind).
 *
 * It does not use the shared `CommandHandler`: a claim promises that its events land at
 * one revision of the user stream and nowhere else, so the user's events are appended at
 * exactly the revision they were decided on; on a conflict the whole load → decide →
 * claim → append starts again.
 */
@Injectable()
export class UserAccounts {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(userId: string): Promise<LoadedUser> {
    const events = await this.store.readStream<UserEvent>(userStream(userId));
    const last = events[events.length - 1];
    return { state: fold(userDecider, events), revision: last?.revision, position: last?.position };
  }

  /**
   * Decides on the user's current state and appends what `decide` returns, after claiming
   * the address it sets. Returns the new state and the position to wait for: that of the
   * append, or of the stream's last event when there was nothing to do.
   */
  async write(userId: string, decide: (state: User) => readonly UserEvent[], context: MessageContext): Promise<{ state: User; position: GlobalPosition | undefined }> {
    for (let attempt = 1; ; attempt++) {
      const user = await this.load(userId);
      const events = decide(user.state);
      if (events.length === 0) return { state: user.state, position: user.position };
      const email = emailSetBy(events);
      if (email !== undefined) await this.claim(email, userId, (user.revision ?? -1) + 1, events, context);
      try {
        const { position } = await this.append(userStream(userId), events, user.revision ?? 'no-stream', context);
        return { state: events.reduce(userDecider.evolve, user.state), position };
      } catch (error) {
        // Another write of this user came first, or another request completed this one's
        // claim: decide again on what is there now (a completed write decides nothing).
        if (!(error instanceof WrongExpectedVersion) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** The user the address is claimed by (in use, or on its way), if any. */
  async claimantOf(email: string): Promise<string | undefined> {
    const claim = fold(emailClaimDecider, await this.store.readStream<EmailClaimEvent>(emailClaimStream(email)));
    if (claim.status === 'unclaimed') return undefined;
    const holder = await this.load(claim.userId);
    return standingOf(claim, { revision: holder.revision, email: emailOf(holder.state) }) === 'lapsed' ? undefined : claim.userId;
  }

  /** Claims `email` for `events` landing at `revision` of the user's stream; throws `EmailTaken`. */
  private async claim(email: string, userId: string, revision: number, events: readonly UserEvent[], context: MessageContext): Promise<void> {
    const stream = emailClaimStream(email);
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.store.readStream<EmailClaimEvent>(stream);
      const claim: EmailClaim = fold(emailClaimDecider, recorded);
      let lapsed: { userId: string; revision: number } | undefined;
      if (claim.status === 'claimed' && claim.userId !== userId) {
        const holder = await this.load(claim.userId);
        const standing = standingOf(claim, { revision: holder.revision, email: emailOf(holder.state) });
        if (standing === 'in-use') throw new EmailTaken(email);
        if (standing === 'pending') {
          if (attempt >= MAX_ATTEMPTS) throw new EmailTaken(email);
          await this.complete(claim, context);
          continue;
        }
        lapsed = { userId: claim.userId, revision: claim.revision };
      }
      const claimed = emailClaimDecider.decide({ type: 'claim-email', email, userId, revision, events, at: new Date().toISOString(), ...(lapsed && { lapsed }) }, claim);
      if (claimed.length === 0) return;
      try {
        await this.append(stream, claimed, recorded[recorded.length - 1]?.revision ?? 'no-stream', context);
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Lands a pending claim's events where they were decided; losing the race to their own
   * writer is as good. They are recorded under the completing request's correlation id.
   */
  private async complete(claim: Extract<EmailClaim, { status: 'claimed' }>, context: MessageContext): Promise<void> {
    try {
      await this.append(userStream(claim.userId), claim.events, claim.revision === 0 ? 'no-stream' : claim.revision - 1, context);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
    }
  }

  private append(stream: string, events: readonly Event[], expected: ExpectedRevision, context: MessageContext) {
    const occurredAt = new Date();
    return this.store.appendToStream(stream, events.map((event) => withMetadata(event, context, occurredAt)), expected);
  }
}

function emailOf(user: User): string | undefined {
  return user.status === 'registered' ? user.email : undefined;
}
