import { describe, expect, it } from '@jest/globals';
import { fold } from '@agora/event-sourcing';
import { deciderSpec } from '@agora/testing';
import { emailClaimDecider, standingOf, type ClaimEmail, type EmailClaimEvent } from './email-claim.js';
import { EmailTaken } from './errors.js';
import type { UserEvent } from './user.js';

const email = 'ada@example.org';
const ada = '3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3c';
const bob = '8d1c0b9a-2e3f-4a5b-9c6d-7e8f9a0b1c2d';
const at = '2026-03-01T10:00:00.000Z';
const registered = (userId: string): UserEvent => ({
  type: 'user.registered.v1',
  data: { userId, email, name: 'Someone', role: 'customer', passwordHash: '$2b$10$hash', at },
});
const claim = (userId: string, revision: number, lapsed?: ClaimEmail['lapsed']): ClaimEmail => ({
  type: 'claim-email',
  email,
  userId,
  revision,
  events: [registered(userId)],
  at,
  ...(lapsed && { lapsed }),
});
const claimed = (userId: string, revision: number): EmailClaimEvent => ({
  type: 'user.email-claimed.v1',
  data: { email, userId, revision, events: [registered(userId)], at },
});

describe('claiming an email address', () => {
  const spec = deciderSpec(emailClaimDecider);

  it('records the claim with the events it is for', () => spec.given().when(claim(ada, 0)).then(claimed(ada, 0)));
  it('does nothing when the same user claims it again for the same write', () => spec.given(claimed(ada, 0)).when(claim(ada, 0)).thenNothing());
  it('renews the claim for a later write of the same user', () => spec.given(claimed(ada, 0)).when(claim(ada, 3)).then(claimed(ada, 3)));
  it('refuses another user', () => spec.given(claimed(ada, 0)).when(claim(bob, 0)).thenThrows(EmailTaken));
  it('lets another user take a claim found lapsed', () =>
    spec.given(claimed(ada, 0)).when(claim(bob, 0, { userId: ada, revision: 0 })).then(claimed(bob, 0)));
  it('refuses a take-over that names an older claim of the holder', () =>
    spec.given(claimed(ada, 0), claimed(ada, 3)).when(claim(bob, 0, { userId: ada, revision: 0 })).thenThrows(EmailTaken));
  it('refuses a take-over that names another holder', () =>
    spec.given(claimed(ada, 0)).when(claim(bob, 0, { userId: bob, revision: 0 })).thenThrows('The email address ada@example.org is already registered.'));
});

describe('what a claim is worth, as its user stream tells', () => {
  const held = (revision: number) => {
    const state = fold(emailClaimDecider, [claimed(ada, revision)]);
    if (state.status !== 'claimed') throw new Error('not claimed');
    return state;
  };

  it('is pending while the user stream does not exist', () => expect(standingOf(held(0), { revision: undefined, email: undefined })).toBe('pending'));
  it('is pending while nothing landed at its revision', () => expect(standingOf(held(3), { revision: 2, email: 'old@example.org' })).toBe('pending'));
  it('is in use once landed and the user has the address', () => expect(standingOf(held(3), { revision: 3, email })).toBe('in-use'));
  it('stays in use after later writes that keep the address', () => expect(standingOf(held(3), { revision: 7, email })).toBe('in-use'));
  it('has lapsed once the user moved to another address', () => expect(standingOf(held(0), { revision: 4, email: 'countess@lovelace.org' })).toBe('lapsed'));
  it('has lapsed when another write took its revision', () => expect(standingOf(held(3), { revision: 3, email: 'old@example.org' })).toBe('lapsed'));
});
