import { describe, expect, it } from '@jest/globals';
import type { Message, MessageType } from '@agora/contracts';
import type { RecordedEvent } from '@agora/event-sourcing';
import type { MessageHandler, OutboundMapping } from '@agora/messaging';
import { publishingOnly, wiringGaps, type ContextMessaging } from './context-definition.js';

function handler(name: string, types: readonly MessageType[]): MessageHandler {
  return { name, types, handle: async (_message: Message) => undefined };
}

const parcels: ContextMessaging = { name: 'parcels', publishes: ['inventory.reserve-stock.v1'], consumes: ['inventory.stock-reserved.v1'] };
const stock: ContextMessaging = { name: 'stock', publishes: ['inventory.stock-reserved.v1'], consumes: ['inventory.reserve-stock.v1'] };

describe('wiringGaps', () => {
  it('finds none where every context handles what it consumes, and what it consumes is published', () => {
    const wired = [
      { context: parcels, handlers: [handler('parcels.answers', ['inventory.stock-reserved.v1'])] },
      { context: stock, handlers: [handler('stock.commands', ['inventory.reserve-stock.v1'])] },
    ];
    expect(wiringGaps(wired, { inOneProcess: true })).toEqual([]);
  });

  it('names a consumed type that no handler of its context handles, and one a handler takes undeclared', () => {
    const wired = [{ context: stock, handlers: [handler('stock.commands', ['inventory.release-reservation.v1'])] }];
    expect(wiringGaps(wired, { inOneProcess: false })).toEqual([
      'stock consumes inventory.reserve-stock.v1, but none of its handlers (stock.commands) handles it.',
      'stock.commands handles inventory.release-reservation.v1, which stock does not say it consumes.',
    ]);
  });

  it('does not count a handler of another context', () => {
    const wired = [
      { context: parcels, handlers: [] },
      { context: stock, handlers: [handler('stock.commands', ['inventory.reserve-stock.v1', 'inventory.stock-reserved.v1'])] },
    ];
    expect(wiringGaps(wired, { inOneProcess: true })).toEqual([
      'parcels consumes inventory.stock-reserved.v1, but none of its handlers (none) handles it.',
      'stock.commands handles inventory.stock-reserved.v1, which stock does not say it consumes.',
    ]);
  });

  it('in one process, names a consumed type that no context there publishes', () => {
    const wired = [{ context: parcels, handlers: [handler('parcels.answers', ['inventory.stock-reserved.v1'])] }];
    const gap = 'parcels consumes inventory.stock-reserved.v1, which no context of this process publishes: it would never arrive.';
    expect(wiringGaps(wired, { inOneProcess: true })).toEqual([gap]);
    // Over a broker another app publishes it.
    expect(wiringGaps(wired, { inOneProcess: false })).toEqual([]);
  });

  it('names a type that has no contract', () => {
    const odd = { name: 'odd', publishes: ['inventory.stock-counted.v1' as MessageType] };
    expect(wiringGaps([{ context: odd, handlers: [] }], { inOneProcess: false })).toEqual([
      'odd names inventory.stock-counted.v1, which no contract in @agora/contracts describes.',
    ]);
  });
});

describe('publishingOnly', () => {
  const event = { type: 'parcel.packed.v1', data: { orderId: 'o-1' } } as unknown as RecordedEvent;
  const mapping = (type: MessageType): OutboundMapping => ({
    name: 'parcels',
    categories: ['parcel'],
    map: () => [{ type, key: 'o-1', data: { orderId: 'o-1', lines: [{ sku: 'MUG', quantity: 1 }] } } as never],
  });

  it('passes the messages of the types its context publishes', () => {
    expect(publishingOnly(mapping('inventory.reserve-stock.v1'), parcels).map(event)).toEqual([
      { type: 'inventory.reserve-stock.v1', key: 'o-1', data: { orderId: 'o-1', lines: [{ sku: 'MUG', quantity: 1 }] } },
    ]);
  });

  it('refuses a message of a type its context does not say it publishes, naming the event and the type', () => {
    expect(() => publishingOnly(mapping('inventory.release-reservation.v1'), parcels).map(event)).toThrow(
      'parcels mapped parcel.packed.v1 to inventory.release-reservation.v1, which parcels does not say it publishes.',
    );
  });
});
