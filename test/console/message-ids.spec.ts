import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { derivedMessageId as relayed } from '@agora/messaging';
import { derivedMessageId } from '../../console/src/message-ids.js';

describe("the console's message ids", () => {
  it('are the ids the relay gives the messages an event sends', () => {
    for (const eventId of [randomUUID(), randomUUID(), 'not-a-uuid', 'événement']) {
      for (const index of [0, 1, 7]) expect(derivedMessageId(eventId, index)).toBe(relayed(eventId, index));
    }
  });
});
