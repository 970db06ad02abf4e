import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

// docker compose cannot run on the build machines; this checks what can be checked without it.
interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const nestProjects = (JSON.parse(readFileSync('nest-cli.json', 'utf8')) as { projects: Record<string, { type: string }> }).projects;
const services = Object.entries(compose.services);

describe('docker-compose.yml', () => {
  it('gives every service an image or a build of a Nest app from the Dockerfile', () => {
    for (const [name, service] of services) {
      if (service.image) continue;
      expect({ name, context: service.build?.context }).toEqual({ name, context: '.' });
      expect(existsSync('Dockerfile')).toBe(true);
      expect(nestProjects[service.build!.args!['APP']!]?.type).toBe('application');
    }
  });

  it('waits only for services that exist and have a healthcheck', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, exists: dependency in compose.services }).toEqual({ name, dependency, exists: true });
        expect(condition).toBe('service_healthy');
        expect(compose.services[dependency]!.healthcheck?.test.length).toBeGreaterThan(0);
      }
    }
  });

  it('points every app at hosts that are services of the file', () => {
    for (const [name, service] of services) {
      for (const variable of ['DATABASE_URL', 'EVENTSTORE_URL']) {
        const value = service.environment?.[variable];
        if (!value) continue;
        const host = new URL(value).hostname;
        expect({ name, variable, host, isService: host in compose.services }).toEqual({ name, variable, host, isService: true });
        expect(Object.keys(service.depends_on ?? {})).toContain(host);
      }
    }
  });
});
