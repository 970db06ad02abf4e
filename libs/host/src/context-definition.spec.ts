import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '@agora/event-sourcing';
import type { MessageHandler, OutboundMapping } from '@agora/messaging';
import { z } from 'zod';
import { publishingOnly, wiringGaps, type ContextMessaging } from './context-definition.js';

// Two toy contexts and their own messages: the host knows no context's.
const order = z.object({ orderId: z.string() });
const CONTRACTS = {
  'stock.reserve.v1': { topic: 'stock.commands.v1', schema: order },
  'stock.release.v1': { topic: 'stock.commands.v1', schema: order },
  'stock.reserved.v1': { topic: 'stock.events.v1', schema: order },
};
type Type = keyof typeof CONTRACTS;
const contracts = (...types: Type[]) => Object.fromEntries(types.map((type) => [type, CONTRACTS[type]]));

function handler(name: string, types: readonly Type[]): MessageHandler {
  return { name, types, handle: async () => undefined };
}

const parcels: ContextMessaging = { name: 'parcels', publishes: contracts('stock.reserve.v1'), consumes: contracts('stock.reserved.v1') };
const stock: ContextMessaging = { name: 'stock', publishes: contracts('stock.reserved.v1'), consumes: contracts('stock.reserve.v1') };

describe('wiringGaps', () => {
  it('finds none where every context handles what it consumes, and what it consumes is published', () => {
    const wired = [
      { context: parcels, handlers: [handler('parcels.answers', ['stock.reserved.v1'])] },
      { context: stock, handlers: [handler('stock.commands', ['stock.reserve.v1'])] },
    ];
    expect(wiringGaps(wired, { inOneProcess: true })).toEqual([]);
  });

  it('names a consumed type that no handler of its context handles, and one a handler takes undeclared', () => {
    const wired = [{ context: stock, handlers: [handler('stock.commands', ['stock.release.v1'])] }];
    expect(wiringGaps(wired, { inOneProcess: false })).toEqual([
      'stock consumes stock.reserve.v1, but none of its handlers (stock.commands) handles it.',
      'stock.commands handles stock.release.v1, which stock does not say it consumes.',
    ]);
  });

  it('does not count a handler of another context', () => {
    const wired = [
      { context: parcels, handlers: [] },
      { context: stock, handlers: [handler('stock.commands', ['stock.reserve.v1', 'stock.reserved.v1'])] },
    ];
    expect(wiringGaps(wired, { inOneProcess: true })).toEqual([
      'parcels consumes stock.reserved.v1, but none of its handlers (none) handles it.',
      'stock.commands handles stock.reserved.v1, which stock does not say it consumes.',
    ]);
  });

  it('in one process, names a consumed type that no context there publishes', () => {
    const wired = [{ context: parcels, handlers: [handler('parcels.answers', ['stock.reserved.v1'])] }];
    const gap = 'parcels consumes stock.reserved.v1, which no context of this process publishes: it would never arrive.';
    expect(wiringGaps(wired, { inOneProcess: true })).toEqual([gap]);
    // Over a broker another app publishes it.
    expect(wiringGaps(wired, { inOneProcess: false })).toEqual([]);
  });

  it('names a type two contexts declare with different contracts', () => {
    const elsewhere = { name: 'elsewhere', publishes: { 'stock.reserved.v1': { topic: 'warehouse.events.v1', schema: order } } };
    const wired = [
      { context: parcels, handlers: [handler('parcels.answers', ['stock.reserved.v1'])] },
      { context: elsewhere, handlers: [] },
    ];
    expect(wiringGaps(wired, { inOneProcess: false })).toEqual(['stock.reserved.v1 is declared with two different contracts (topics stock.events.v1 and warehouse.events.v1).']);
  });
});

describe('wiringGaps on names', () => {
  it('names a stored event outside its context\'s namespace, and one named like a message', () => {
    // A message's former name may stay a stored event's: it was the message's before the two were told apart.
    const renamed = { 'stock.sold.v1': { topic: 'stock.events.v1', schema: order, formerly: ['stock.committed.v1'] } };
    const sloppy: ContextMessaging = { name: 'stock', events: ['stock.added.v1', 'stock.reserved.v1', 'stock.committed.v1', 'parcel.packed.v1'], publishes: { ...contracts('stock.reserved.v1'), ...renamed } };
    expect(wiringGaps([{ context: sloppy, handlers: [] }], { inOneProcess: false })).toEqual([
      'stock stores stock.reserved.v1, which is also the name of an integration message: a name must mean one schema.',
      'stock stores parcel.packed.v1, a name outside its own (stock.*).',
    ]);
  });
});

describe('publishingOnly', () => {
  const event = { type: 'parcel.packed.v1', data: { orderId: 'o-1' } } as unknown as RecordedEvent;
  const mapping = (type: Type): OutboundMapping => ({ name: 'parcels', categories: ['parcel'], map: () => [{ type, key: 'o-1', data: { orderId: 'o-1' } }] });

  it('passes the messages of the types its context publishes', () => {
    expect(publishingOnly(mapping('stock.reserve.v1'), parcels).map(event)).toEqual([{ type: 'stock.reserve.v1', key: 'o-1', data: { orderId: 'o-1' } }]);
  });

  it('refuses a message of a type its context does not say it publishes, naming the event and the type', () => {
    expect(() => publishingOnly(mapping('stock.release.v1'), parcels).map(event)).toThrow(
      'parcels mapped parcel.packed.v1 to stock.release.v1, which parcels does not say it publishes.',
    );
  });
});
