import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ContractRegistry, refuseUncontracted } from './message-contracts.js';

const order = z.object({ orderId: z.uuid() }).strict();
const reserve = { topic: 'stock.commands.v1', schema: order };
const reserved = { topic: 'stock.events.v1', schema: order };
const profile = { topic: 'people.events.v1', schema: z.object({ name: z.string() }), compacted: true };
const orderId = '0b7e4bde-2a3b-4c58-9f0e-6d1f2a3b4c5d';
const metadata = { messageId: 'm-1', correlationId: 'c-1', causationId: 'c-1', occurredAt: '2026-12-06T02:00:00.000Z', schemaVersion: 1 };

describe('ContractRegistry', () => {
  const registry = ContractRegistry.of({ 'stock.reserve.v1': reserve }, { 'stock.reserved.v1': reserved, 'stock.reserve.v1': reserve }, { 'people.profile.v1': profile });

  it('knows the types and topics of every declaration, each once, and which topics are compacted', () => {
    expect(registry.types).toEqual(['stock.reserve.v1', 'stock.reserved.v1', 'people.profile.v1']);
    expect(registry.topics).toEqual(['stock.commands.v1', 'stock.events.v1', 'people.events.v1']);
    expect(registry.compactedTopics).toEqual(['people.events.v1']);
    expect(registry.topicOf('stock.reserved.v1')).toBe('stock.events.v1');
    expect(() => registry.topicOf('stock.counted.v1')).toThrow('No contract of this host describes stock.counted.v1.');
  });

  it('hands out a message that keeps its contract, metadata and all', () => {
    expect(registry.parse({ type: 'stock.reserve.v1', key: orderId, data: { orderId }, metadata })).toEqual({
      ok: true,
      message: { type: 'stock.reserve.v1', key: orderId, data: { orderId }, metadata },
    });
  });

  it('refuses, saying why, a type it has no contract for, metadata missing a field, and a payload off its schema', () => {
    expect(registry.parse({ type: 'stock.counted.v1', key: orderId, data: { orderId }, metadata })).toEqual({ ok: false, error: 'unknown message type "stock.counted.v1"' });
    const { correlationId: _, ...noCorrelation } = metadata;
    expect(registry.parse({ type: 'stock.reserve.v1', key: orderId, data: { orderId }, metadata: noCorrelation })).toMatchObject({ ok: false, error: expect.stringMatching(/^metadata: .*correlationId/s) });
    expect(registry.parse({ type: 'stock.reserve.v1', key: orderId, data: { orderId: 'x' }, metadata })).toMatchObject({ ok: false, error: expect.stringMatching(/^stock.reserve.v1: .*orderId/s) });
  });

  it('reads a message that arrives under a former name of a type as that type', () => {
    const sold = { topic: 'stock.events.v1', schema: order, formerly: ['stock.committed.v1'] };
    const renamed = ContractRegistry.of({ 'stock.sold.v1': sold });
    expect(renamed.current('stock.committed.v1')).toBe('stock.sold.v1');
    expect(renamed.parse({ type: 'stock.committed.v1', key: orderId, data: { orderId }, metadata })).toEqual({
      ok: true,
      message: { type: 'stock.sold.v1', key: orderId, data: { orderId }, metadata },
    });
    expect(() => ContractRegistry.of({ 'stock.sold.v1': sold, 'stock.committed.v1': reserved })).toThrow('stock.sold.v1 was formerly stock.committed.v1, which is a type of its own.');
  });

  it('refuses a type declared with two contracts, and a topic whose types disagree on compaction', () => {
    expect(() => ContractRegistry.of({ 'stock.reserve.v1': reserve }, { 'stock.reserve.v1': { ...reserve } })).toThrow(
      'stock.reserve.v1 is declared with two different contracts (topics stock.commands.v1 and stock.commands.v1).',
    );
    expect(() => ContractRegistry.of({ 'people.profile.v1': profile, 'people.left.v1': { topic: 'people.events.v1', schema: order } })).toThrow(
      'people.left.v1 disagrees with the other types of people.events.v1 on whether it is compacted.',
    );
  });

  it('lets no handler register for a type it has no contract for', () => {
    expect(() => refuseUncontracted({ name: 'stock.counter', types: ['stock.reserve.v1', 'stock.counted.v1'] }, registry)).toThrow(
      'stock.counter handles stock.counted.v1, which no contract of this host describes.',
    );
    expect(() => refuseUncontracted({ name: 'stock.commands', types: ['stock.reserve.v1'] }, registry)).not.toThrow();
  });
});
