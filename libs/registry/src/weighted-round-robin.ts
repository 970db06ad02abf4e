import type { ServiceInstance } from './service-registry.js';

/**
 * nginx's smooth weighted round-robin, for a caller that picks instances itself (the
 * gateway): over a round, each instance is picked as often as its weight, spread out
 * rather than in runs (weights 3:1 pick a, a, b, a…, never b twice in a row). The
 * instances may change between picks: one that left is forgotten, one that joined starts
 * from nothing.
 */
export class WeightedRoundRobin {
  private readonly current = new Map<string, number>();

  /** The next of `instances`, or undefined when there is none. */
  pick(instances: readonly ServiceInstance[]): ServiceInstance | undefined {
    let total = 0;
    let best: ServiceInstance | undefined;
    let bestWeight = -Infinity;
    for (const instance of instances) {
      const weight = (this.current.get(instance.id) ?? 0) + instance.weight;
      this.current.set(instance.id, weight);
      total += instance.weight;
      if (weight > bestWeight) [best, bestWeight] = [instance, weight];
    }
    if (!best) return undefined;
    this.current.set(best.id, bestWeight - total);
    if (this.current.size > instances.length) this.forgetAllBut(instances);
    return best;
  }

  private forgetAllBut(instances: readonly ServiceInstance[]): void {
    const live = new Set(instances.map((instance) => instance.id));
    for (const id of this.current.keys()) if (!live.has(id)) this.current.delete(id);
  }
}
