import { describe, expect, it } from '@jest/globals';
import { busyByOwner, ownerOf, type CpuProfile } from '../../bench/cpu-profile.js';

describe('bench/cpu-profile', () => {
  it.each([
    [{ functionName: 'append', url: 'file:///work/dist/apps/order/libs/event-sourcing/src/postgres/postgres-event-store.js' }, 'project libs/event-sourcing'],
    [{ functionName: 'bootstrap', url: 'file:///work/dist/apps/order/apps/order/src/main.js' }, 'project apps/order'],
    [{ functionName: 'parse', url: 'file:///work/node_modules/pg-protocol/dist/parser.js' }, 'package pg-protocol'],
    [{ functionName: 'handle', url: 'file:///work/node_modules/@nestjs/core/router/router-execution-context.js' }, 'package @nestjs/core'],
    [{ functionName: 'writeGeneric', url: 'node:internal/stream_base_commons' }, 'node internal'],
    [{ functionName: 'writev', url: '' }, '(native writev)'],
    [{ functionName: '(garbage collector)', url: '' }, '(garbage collector)'],
  ])('names the owner of %j: %s', (frame, owner) => {
    expect(ownerOf(frame)).toBe(owner);
  });

  // Samples 10 µs apart from 1000: one in pg, two in the project, one idle, one in GC.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: 'query', url: 'file:///w/node_modules/pg/lib/client.js' } },
      { id: 2, callFrame: { functionName: 'decide', url: 'file:///w/dist/apps/shop/libs/order/src/order.js' } },
      { id: 3, callFrame: { functionName: '(idle)', url: '' } },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '' } },
    ],
    startTime: 1000,
    endTime: 1050,
    samples: [1, 2, 3, 2, 4],
    timeDeltas: [10, 10, 10, 10, 10],
  };

  it('adds up each owner\'s busy time, idle left out', () => {
    expect(busyByOwner(profile)).toEqual(new Map([['package pg', 10], ['project libs/order', 20], ['(garbage collector)', 10]]));
  });

  it('counts only the last stretch of the profile when asked', () => {
    // From 1025 on: the samples at 1030 (idle), 1040 (order) and 1050 (GC).
    expect(busyByOwner(profile, 25)).toEqual(new Map([['project libs/order', 10], ['(garbage collector)', 10]]));
  });
});
