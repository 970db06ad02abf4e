import { describe, expect, it } from '@jest/globals';
import { inventoryEvents, CONTRACTS } from '@agora/contracts';
import { ContractRegistry } from '@agora/messaging';
import type { Event, RecordedEvent } from '@agora/event-sourcing';
import type { ProductEvent } from '../domain/product.js';
import type { ReservationEvent } from '../domain/reservation.js';
import { InventoryOutboundMapping } from './inventory-outbound.mapping.js';

const mapping = new InventoryOutboundMapping();
const orderId = '0b6f4a8e-8f0c-4c3e-9d55-7b1f1c2d3e4f';
const metadata = {
  messageId: 'm-1',
  correlationId: 'c-1',
  causationId: 'c-1',
  occurredAt: '2026-01-02T03:04:05.000Z',
  schemaVersion: 1,
};

function recorded(event: ProductEvent | ReservationEvent, stream: string): RecordedEvent {
  return { ...(event as Event), metadata, streamName: stream, revision: 0, position: { commit: 1, prepare: 1 }, recordedAt: new Date() };
}

/** The messages mapped from the event, each checked against its contract schema as a consumer would. */
function published(event: ProductEvent | ReservationEvent, stream = `reservation-${orderId}`) {
  const messages = mapping.map(recorded(event, stream));
  for (const message of messages) {
    const parsed = ContractRegistry.of(CONTRACTS).parse({ ...message, metadata });
    expect(parsed).toMatchObject({ ok: true });
    expect(inventoryEvents[message.type as keyof typeof inventoryEvents].safeParse(message.data).success).toBe(true);
  }
  return messages;
}

describe('inventory outbound mapping', () => {
  it('reads the product and reservation categories as the inventory relay', () => {
    expect(mapping.name).toBe('inventory');
    expect(mapping.categories).toEqual(['product', 'reservation']);
  });

  it('publishes a product added to the catalog, keyed by sku, without its stock', () =>
    expect(
      published(
        { type: 'inventory.product-added.v1', data: { sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR', initialStock: 7 } },
        'product-MUG-BLUE',
      ),
    ).toEqual([{ type: 'inventory.product-listed.v1', key: 'MUG-BLUE', data: { sku: 'MUG-BLUE', name: 'Blue mug', priceCents: 1250, currency: 'EUR' } }]));

  it('publishes an accepted reservation as stock reserved, keyed by order id', () =>
    expect(
      published({ type: 'inventory.reservation-accepted.v1', data: { orderId, lines: [{ sku: 'A-1', quantity: 2 }, { sku: 'B-2', quantity: 1 }] } }),
    ).toEqual([
      { type: 'inventory.stock-reserved.v1', key: orderId, data: { orderId, lines: [{ sku: 'A-1', quantity: 2 }, { sku: 'B-2', quantity: 1 }] } },
    ]));

  it('publishes a rejected reservation with the sku and reason', () => {
    expect(published({ type: 'inventory.reservation-rejected.v1', data: { orderId, sku: 'B-2', reason: 'insufficient-stock' } })).toEqual([
      { type: 'inventory.stock-reservation-rejected.v1', key: orderId, data: { orderId, sku: 'B-2', reason: 'insufficient-stock' } },
    ]);
    expect(published({ type: 'inventory.reservation-rejected.v1', data: { orderId, sku: 'NOPE', reason: 'unknown-sku' } })).toEqual([
      { type: 'inventory.stock-reservation-rejected.v1', key: orderId, data: { orderId, sku: 'NOPE', reason: 'unknown-sku' } },
    ]);
  });

  it('publishes released and committed reservations', () => {
    expect(published({ type: 'inventory.reservation-released.v1', data: { orderId } })).toEqual([
      { type: 'inventory.stock-released.v1', key: orderId, data: { orderId } },
    ]);
    expect(published({ type: 'inventory.reservation-committed.v1', data: { orderId } })).toEqual([
      { type: 'inventory.stock-sold.v1', key: orderId, data: { orderId } },
    ]);
  });

  it('keeps stock movements and requests private', () => {
    expect(published({ type: 'inventory.reservation-requested.v1', data: { orderId, lines: [{ sku: 'A-1', quantity: 1 }] } })).toEqual([]);
    expect(published({ type: 'inventory.stock-added.v1', data: { sku: 'A-1', quantity: 1 } }, 'product-A-1')).toEqual([]);
    expect(published({ type: 'inventory.product-stock-reserved.v1', data: { sku: 'A-1', orderId, quantity: 1 } }, 'product-A-1')).toEqual([]);
    expect(published({ type: 'inventory.product-stock-released.v1', data: { sku: 'A-1', orderId, quantity: 1 } }, 'product-A-1')).toEqual([]);
    expect(published({ type: 'inventory.product-stock-sold.v1', data: { sku: 'A-1', orderId, quantity: 1 } }, 'product-A-1')).toEqual([]);
  });

  it('publishes nothing for an event type it does not know', () =>
    expect(mapping.map({ ...recorded({ type: 'inventory.reservation-released.v1', data: { orderId } }, 'x'), type: 'inventory.something-new.v9' })).toEqual([]));
});
