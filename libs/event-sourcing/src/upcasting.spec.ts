import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from './event.js';
import { Upcasters, type Upcaster } from './upcasting.js';

// A parcel's weight: grams (v1), then a number with its unit (v2), then kilograms (v3).
const v1ToV2: Upcaster = { from: 'parcel.weighed.v1', to: 'parcel.weighed.v2', up: ({ grams }) => ({ weight: grams, unit: 'g' }) };
const v2ToV3: Upcaster = {
  from: 'parcel.weighed.v2',
  to: 'parcel.weighed.v3',
  up: ({ weight, unit }) => ({ kilograms: unit === 'g' ? Number(weight) / 1000 : Number(weight) }),
};

function stored(type: string, data: Record<string, unknown>, streamName = 'parcel-1'): RecordedEvent {
  return {
    type,
    data,
    metadata: { messageId: 'm-1', correlationId: 'c-1', causationId: 'c-1', occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion: Number(type.slice(-1)) },
    streamName,
    revision: 0,
    position: { commit: 1, prepare: 1 },
    recordedAt: new Date('2026-01-01T00:00:00.000Z'),
  };
}

describe('Upcasters', () => {
  const upcasters = new Upcasters([v2ToV3, v1ToV2]);

  it('takes an event of the first shape through every step, whatever order they were given in', () => {
    const upcast = upcasters.upcast(stored('parcel.weighed.v1', { grams: 1500 }));
    expect(upcast).toMatchObject({ type: 'parcel.weighed.v3', data: { kilograms: 1.5 }, metadata: { schemaVersion: 3, messageId: 'm-1' }, revision: 0 });
  });

  it('takes an event of a later shape through the steps after it', () => {
    expect(upcasters.upcast(stored('parcel.weighed.v2', { weight: 2, unit: 'kg' }))).toMatchObject({ type: 'parcel.weighed.v3', data: { kilograms: 2 } });
  });

  it('hands out an event of the newest shape, or of a type it does not know, as it is', () => {
    const newest = stored('parcel.weighed.v3', { kilograms: 1 });
    const other = stored('parcel.shipped.v1', { to: 'Lyon' });
    expect(upcasters.upcast(newest)).toBe(newest);
    expect(upcasters.upcast(other)).toBe(other);
  });

  it('takes a step bound to a category only for events of that category\'s streams, before a step for every category', () => {
    const byCategory = new Upcasters([
      { from: 'saga.input-handled.v1', to: 'saga.input-handled.v2', category: 'parcels', up: ({ state }) => ({ state: { parcels: state } }) },
      { from: 'saga.input-handled.v1', to: 'saga.input-handled.v2', up: (data) => data },
    ]);
    expect(byCategory.upcast(stored('saga.input-handled.v1', { state: 3 }, 'parcels-p1')).data).toEqual({ state: { parcels: 3 } });
    expect(byCategory.upcast(stored('saga.input-handled.v1', { state: 3 }, 'letters-l1'))).toMatchObject({ type: 'saga.input-handled.v2', data: { state: 3 } });
    const onlyParcels = new Upcasters([{ from: 'saga.input-handled.v1', to: 'saga.input-handled.v2', category: 'parcels', up: (data) => data }]);
    const letter = stored('saga.input-handled.v1', { state: 3 }, 'letters-l1');
    expect(onlyParcels.upcast(letter)).toBe(letter);
  });

  it('refuses two steps from one type, and steps that come back to a type they passed', () => {
    expect(() => new Upcasters([v1ToV2, { ...v1ToV2, to: 'parcel.weighed.v9' }])).toThrow('Two upcasters from parcel.weighed.v1: to parcel.weighed.v2 and to parcel.weighed.v9.');
    expect(() => new Upcasters([v1ToV2, { from: 'parcel.weighed.v2', to: 'parcel.weighed.v1', up: (data) => data }])).toThrow(
      'The upcasters from parcel.weighed.v2 come back to parcel.weighed.v2.',
    );
    // A loop through a step bound to a category, whichever of the two comes first.
    const back = { from: 'parcel.weighed.v2', to: 'parcel.weighed.v1', category: 'parcel', up: (data: Record<string, unknown>) => data };
    expect(() => new Upcasters([back, v1ToV2])).toThrow('The upcasters from parcel.weighed.v1 come back to parcel.weighed.v1 in parcel.');
    expect(() => new Upcasters([v1ToV2, back])).toThrow('The upcasters from parcel.weighed.v2 (parcel) come back to parcel.weighed.v2 in parcel.');
  });
});
