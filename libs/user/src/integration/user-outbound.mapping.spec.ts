import { describe, expect, it } from '@jest/globals';
import { CONTRACTS } from '@agora/contracts';
import { ContractRegistry } from '@agora/messaging';
import type { RecordedEvent } from '@agora/event-sourcing';
import type { UserEvent } from '../domain/user.js';
import { UserOutboundMapping } from './user-outbound.mapping.js';

const userId = '5d0b7c2e-3f4a-4b8e-9d43-1f6f2a6f3c55';
const at = '2026-12-04T10:00:00.000Z';
const metadata = { messageId: 'm-1', correlationId: 'c', causationId: 'c', occurredAt: at, schemaVersion: 1 };
const recorded = (event: UserEvent) => ({ ...event, metadata, streamName: `user-${userId}`, revision: 0, position: { commit: 1, prepare: 1 }, recordedAt: new Date() }) as unknown as RecordedEvent;
const mapping = new UserOutboundMapping();

describe('user outbound mapping', () => {
  it('publishes the new token version of a password change, a reset and a sign-out, keyed by user, without the hash', () => {
    const messages = [
      recorded({ type: 'user.password-changed.v1', data: { userId, passwordHash: '$2b$secret-hash', reset: false, tokenVersion: 1, at } }),
      recorded({ type: 'user.password-changed.v1', data: { userId, passwordHash: '$2b$other-hash', reset: true, tokenVersion: 2, at } }),
      recorded({ type: 'user.signed-out.v1', data: { userId, tokenVersion: 3, at } }),
    ].flatMap((event) => mapping.map(event));
    expect(messages).toEqual([1, 2, 3].map((tokenVersion) => ({ type: 'user.token-version-changed.v1', key: userId, data: { userId, tokenVersion } })));
    expect(JSON.stringify(messages)).not.toMatch(/hash/);
    for (const message of messages) expect(ContractRegistry.of(CONTRACTS).parse({ ...message, metadata })).toMatchObject({ ok: true });
  });

  it('keeps registrations and profile changes private', () => {
    expect(mapping.map(recorded({ type: 'user.registered.v1', data: { userId, email: 'a@example.org', name: 'A', role: 'customer', passwordHash: 'h', at } }))).toEqual([]);
    expect(mapping.map(recorded({ type: 'user.profile-changed.v1', data: { userId, name: 'B', at } }))).toEqual([]);
  });

  it('is refused on receipt with a version that is not a positive integer', () => {
    const parsed = ContractRegistry.of(CONTRACTS).parse({ type: 'user.token-version-changed.v1', key: userId, data: { userId, tokenVersion: 0 }, metadata });
    expect(parsed).toMatchObject({ ok: false, error: expect.stringContaining('tokenVersion') });
  });
});
