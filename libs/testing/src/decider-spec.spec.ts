import { describe, expect, it } from '@jest/globals';
import type { Decider, Event } from '@agora/event-sourcing';
import { deciderSpec } from './decider-spec.js';

type Switched = Event<'lamp.switched.v1', { on: boolean }>;
class AlreadyBroken extends Error {}
const lamp: Decider<{ on: boolean } | 'break', Switched | Event<'lamp.broken.v1', Record<string, never>>, { on: boolean; broken: boolean }> = {
  initialState: () => ({ on: false, broken: false }),
  evolve: (state, event) => (event.type === 'lamp.broken.v1' ? { ...state, broken: true } : { ...state, on: event.data.on }),
  decide: (command, state) => {
    if (state.broken) throw new AlreadyBroken();
    if (command === 'break') return [{ type: 'lamp.broken.v1', data: {} }];
    return command.on === state.on ? [] : [{ type: 'lamp.switched.v1', data: { on: command.on } }];
  },
};
const spec = deciderSpec(lamp);

describe('deciderSpec', () => {
  it('folds the history before deciding', () => spec.given({ type: 'lamp.switched.v1', data: { on: true } }).when({ on: false }).then({ type: 'lamp.switched.v1', data: { on: false } }));
  it('checks that nothing is decided', () => spec.given({ type: 'lamp.switched.v1', data: { on: true } }).when({ on: true }).thenNothing());
  it('checks the error', () => spec.given({ type: 'lamp.broken.v1', data: {} }).when({ on: true }).thenThrows(AlreadyBroken));
  it('fails when the decision differs', () =>
    expect(() => spec.given().when({ on: true }).then({ type: 'lamp.switched.v1', data: { on: false } })).toThrow());
});
