import type { InjectionToken, Provider } from '@nestjs/common';

/**
 * A provider that runs `task` once the app is initialised (Nest's `onApplicationBootstrap`),
 * before it serves requests: e.g. seeding the administrator and demo data.
 */
export function onBootstrap<Deps extends unknown[]>(name: string, inject: readonly InjectionToken[], task: (...deps: Deps) => Promise<void>): Provider {
  return {
    provide: `onBootstrap:${name}`,
    inject: [...inject],
    useFactory: (...deps: Deps) => ({ onApplicationBootstrap: () => task(...deps) }),
  };
}
