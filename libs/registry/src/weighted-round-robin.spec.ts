import { describe, expect, it } from '@jest/globals';
import type { ServiceInstance } from './service-registry.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

const instance = (id: string, weight: number): ServiceInstance => ({ service: 'order', id, host: '127.0.0.1', port: 3000, weight });
const picks = (balancer: WeightedRoundRobin, instances: readonly ServiceInstance[], count: number) => Array.from({ length: count }, () => balancer.pick(instances)!.id);

describe('WeightedRoundRobin', () => {
  it('picks each instance as often as its weight, spread over the round', () => {
    const instances = [instance('a', 3), instance('b', 1)];
    expect(picks(new WeightedRoundRobin(), instances, 8)).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b', 'a']);
    const counts = picks(new WeightedRoundRobin(), [instance('a', 5), instance('b', 2), instance('c', 1)], 800).reduce<Record<string, number>>(
      (tally, id) => ({ ...tally, [id]: (tally[id] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ a: 500, b: 200, c: 100 });
  });

  it('answers undefined when there is no instance, and follows instances that come and go', () => {
    const balancer = new WeightedRoundRobin();
    expect(balancer.pick([])).toBeUndefined();
    expect(picks(balancer, [instance('a', 1), instance('b', 1)], 4)).toEqual(['a', 'b', 'a', 'b']);
    // b left: every pick is a; c joined: they alternate again.
    expect(picks(balancer, [instance('a', 1)], 2)).toEqual(['a', 'a']);
    expect(picks(balancer, [instance('a', 1), instance('c', 1)], 4).sort()).toEqual(['a', 'a', 'c', 'c']);
  });
});
