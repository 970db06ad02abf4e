import { Logger, type INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.schema.js';
import { API_PREFIX, CONSOLE_PATH, DOCS_PATH, GRAPHQL_PATH, HEALTH_PATH } from './http-app.js';

export interface HostUrls {
  /** Only for a host that serves a REST API. */
  readonly api?: string;
  readonly docs: string;
  /** Only for a host that serves GraphQL. */
  readonly graphql?: string;
  readonly health: string;
  /** Only for a host that serves the operations console. */
  readonly console?: string;
}

/** Starts serving and tells the operator, in the log and in plain words, where to look. */
export async function listen(
  app: INestApplication,
  config: Pick<Config, 'PORT' | 'HOST'>,
  name: string,
  notes: readonly string[] = [],
  options: HostUrlsOptions = {},
): Promise<HostUrls> {
  await app.listen(config.PORT, config.HOST);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const urls = hostUrls(config.HOST, port, options);
  new Logger('Http').log(`${name} is listening on ${config.HOST}:${port}: ${urls.api ? `API ${urls.api}, ` : ''}docs ${urls.docs}, health ${urls.health}`);
  process.stdout.write(readyBanner(name, urls, notes));
  return urls;
}

/** What a host serves besides its docs and /health: a REST API (default), GraphQL (default) and the operations console (not by default). */
export interface HostUrlsOptions {
  readonly rest?: boolean;
  readonly graphql?: boolean;
  readonly console?: boolean;
}

export function hostUrls(host: string, port: number, options: HostUrlsOptions = {}): HostUrls {
  const base = `http://${browsableHost(host)}:${port}`;
  return {
    ...((options.rest ?? true) && { api: `${base}/${API_PREFIX}` }),
    docs: `${base}/${DOCS_PATH}`,
    ...((options.graphql ?? true) && { graphql: `${base}/${GRAPHQL_PATH}` }),
    health: `${base}/${HEALTH_PATH}`,
    ...(options.console && { console: `${base}/${CONSOLE_PATH}` }),
  };
}

/** Whether `host` binds every address (`0.0.0.0`, `::`): no one can connect to it as such. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** A host as a browser opens it in a URL: a wildcard bind address is not one. */
export function browsableHost(host: string): string {
  if (isWildcardHost(host)) return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `notes`: further lines for the operator, e.g. how to sign in. */
export function readyBanner(name: string, urls: HostUrls, notes: readonly string[] = []): string {
  return [
    ``,
    `  ${name} is ready`,
    ...(urls.api ? [`    API     ${urls.api}`] : []),
    `    Docs    ${urls.docs}`,
    ...(urls.graphql ? [`    GraphQL ${urls.graphql}`] : []),
    `    Health  ${urls.health}`,
    ...(urls.console ? [`    Console ${urls.console}`] : []),
    ...notes.map((note) => `  ${note}`),
    `  Ctrl-C stops it.`,
    ``,
    ``,
  ].join('\n');
}
