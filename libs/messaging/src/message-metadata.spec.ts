import { describe, expect, it } from '@jest/globals';
import { derivedMessageId } from './message-metadata.js';

describe('derivedMessageId', () => {
  const eventId = '3f2b8c1e-8f7a-4c2d-9b1e-2a6d5c4b3a21';

  it('is the same for the same event and index, so a re-published message is recognised', () =>
    expect(derivedMessageId(eventId, 0)).toBe(derivedMessageId(eventId, 0)));

  it('differs per index and per event', () => {
    expect(derivedMessageId(eventId, 1)).not.toBe(derivedMessageId(eventId, 0));
    expect(derivedMessageId('0f2b8c1e-8f7a-4c2d-9b1e-2a6d5c4b3a21', 0)).not.toBe(derivedMessageId(eventId, 0));
  });

  it('is a version 5 UUID', () => expect(derivedMessageId(eventId, 3)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));
});
