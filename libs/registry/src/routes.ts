import type { ServiceInstance } from './service-registry.js';

/** A service's instances as a route lists them: which instance, with which weight. */
export interface Route {
  readonly id: string;
  readonly weight: number;
}

/**
 * The routes of a set of instances in one line, as the edge logs them on every reload:
 * `order=order-a×3,order-b×1 user=user-a×1`, or `none`.
 */
export function formatRoutes(instances: readonly ServiceInstance[]): string {
  const routes = new Map<string, string[]>();
  for (const instance of instances) routes.set(instance.service, [...(routes.get(instance.service) ?? []), `${instance.id}×${instance.weight}`]);
  return [...routes].map(([service, servers]) => `${service}=${servers.join(',')}`).join(' ') || 'none';
}

/** What `formatRoutes` wrote: each service's routes. */
export function parseRoutes(line: string): Record<string, Route[]> {
  if (line === 'none') return {};
  return Object.fromEntries(
    line.split(' ').map((entry) => {
      const [service, servers] = entry.split('=') as [string, string];
      return [service, servers.split(',').map((server) => ({ id: server.split('×')[0]!, weight: Number(server.split('×')[1]) }))];
    }),
  );
}
