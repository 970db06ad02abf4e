import { addressOf, type ServiceInstance } from '@agora/registry';

/** Passive health checks: an instance that fails this often is left out for this long. */
export const MAX_FAILS = 2;
export const FAIL_TIMEOUT_S = 5;
/** Idle connections nginx keeps open to each service's instances. */
const KEEPALIVE = 16;

/** The services a template routes to: every `proxy_pass http://<service>`. */
export function servicesRoutedBy(template: string): string[] {
  return [...new Set([...template.matchAll(/proxy_pass\s+http:\/\/([A-Za-z0-9_-]+)\s*;/g)].map((match) => match[1]!))].sort();
}

/**
 * One `upstream` block per routed service, one `server` line per instance, weighted. A
 * service with no instance gets a server that is always down, so that nginx answers its
 * routes at once (the template's `@unavailable`) instead of refusing the whole file.
 */
export function renderUpstreams(services: readonly string[], instances: readonly ServiceInstance[]): string {
  return services
    .map((service) => {
      const ofService = instances.filter((instance) => instance.service === service);
      const servers = ofService.length
        ? ofService.map((instance) => `    server ${addressOf(instance)} weight=${instance.weight} max_fails=${MAX_FAILS} fail_timeout=${FAIL_TIMEOUT_S}s; # ${instance.id}`)
        : ['    server 127.0.0.1:1 down; # no instance registered'];
      return [`  upstream ${service} {`, ...servers, `    keepalive ${KEEPALIVE};`, '  }'].join('\n');
    })
    .join('\n');
}

/** The template with its placeholders filled in (see deploy/nginx/agora.conf.template). */
export function renderNginxConfig(template: string, instances: readonly ServiceInstance[], listen: { readonly host: string; readonly port: number }): string {
  const filled: Record<string, string> = {
    listen: addressOf(listen),
    upstreams: renderUpstreams(servicesRoutedBy(template), instances),
  };
  // Comments are kept as written: they may name the placeholders.
  return template
    .split('\n')
    .map((line) =>
      line.trimStart().startsWith('#')
        ? line
        : line.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
            const value = filled[name];
            if (value === undefined) throw new Error(`The nginx template has an unknown placeholder ${placeholder}`);
            return value;
          }),
    )
    .join('\n');
}
