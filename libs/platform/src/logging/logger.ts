import { RequestMethod, type DynamicModule, type LoggerService } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { Config } from '../config/config.schema.js';
import { assignCorrelationId } from '../http/correlation-id.js';

export interface LoggerOptions {
  readonly name: string;
  readonly level: Config['LOG_LEVEL'];
  /** Unset: pretty when stdout is a terminal, JSON otherwise. */
  readonly format?: Config['LOG_FORMAT'];
}

/**
 * The process's one logger, on stdout: one JSON object per line for machines, or
 * readable lines (pino-pretty) for a developer at a terminal.
 */
export function createLogger(options: LoggerOptions): pino.Logger {
  const pretty = (options.format ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    // Synchronous, so that lines keep their order with the rest of stdout and none is
    // lost when the process exits.
    pretty ? prettyLines() : pino.destination({ dest: 1, sync: true }),
  );
}

/** One line per entry, `[12:00:00.000] INFO: [context] message`; a request's line says what it was and how it ended. */
function prettyLines(): pinoPretty.PrettyStream {
  return pinoPretty({
    destination: 1,
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    // With tracing on, a line's trace (not its span) follows its correlation id.
    ignore: 'pid,hostname,name,context,req,res,responseTime,correlationId,trace_id,span_id,trace_flags',
    messageFormat:
      '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url}{end}{if res.statusCode} {res.statusCode}{end}' +
      '{if responseTime} in {responseTime} ms{end}{if correlationId} ({correlationId}){end}{if trace_id} trace {trace_id}{end}',
  });
}

/** Nest's contexts that log each controller and route as the app starts: one line per route. */
const ROUTE_MAPPING_CONTEXTS = new Set(['RoutesResolver', 'RouterExplorer']);
/** The same line from elsewhere, e.g. GraphQL's `Mapped {/graphql, POST} route`. */
const ROUTE_MAPPING_LINE = /^Mapped \{.*\} route$/;

/**
 * Nest's logger for the app: `logger` (nestjs-pino's), with Nest's lines about mapped
 * routes at debug instead of info, so that a start at the default level shows what
 * matters. Nest passes the context as the last parameter.
 */
export function withRouteMappingAtDebug(logger: LoggerService): LoggerService {
  const isRouteMapping = (message: unknown, params: unknown[]) =>
    ROUTE_MAPPING_CONTEXTS.has(params.at(-1) as string) || (typeof message === 'string' && ROUTE_MAPPING_LINE.test(message));
  return {
    log: (message: unknown, ...params: unknown[]) => (isRouteMapping(message, params) ? logger.debug?.(message, ...params) : logger.log(message, ...params)),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}

/**
 * Makes Nest log through `logger` (nestjs-pino), and every line logged while a Nest
 * route handles a request carry that request's `correlationId`. The requests themselves
 * are logged by `requestLogging`, mounted by `createHttpApp`.
 */
export function loggerModule(logger: pino.Logger): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: { logger },
    // `requestLogging` has already given each request its logger (`req.log`); the
    // module only binds it to the request's async context.
    useExisting: true,
    forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
  });
}

/**
 * One line per request, each with its `correlationId` (see `assignCorrelationId`). It
 * runs before the body parser and outside Nest's routing, so that refused bodies (400,
 * 413), unknown paths and `/docs` are logged too.
 */
export function requestLogging(logger: pino.Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: assignCorrelationId,
    customAttributeKeys: { reqId: 'correlationId' },
    // Lines logged by handlers carry the correlation id only; the completion line also
    // has the request and the response.
    quietReqLogger: true,
    // The response's status and size; its headers are the same security headers on
    // every answer, a kilobyte per line that says nothing about the request.
    serializers: {
      req: (request: { method?: string; url?: string; headers?: Record<string, unknown>; remoteAddress?: string }) => requestSummary(request),
      res: (response: { statusCode: number | null; headers?: Record<string, unknown> }) => responseSummary(response),
    },
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
  });
}

/**
 * What a request's line says of the request: method, path and query, the caller's address
 * and user agent; no other headers. pino-http serialises it for every request, when the
 * request's logger is made, whether or not a line is written at the level set.
 */
function requestSummary(request: { method?: string; url?: string; headers?: Record<string, unknown>; remoteAddress?: string }): Record<string, unknown> {
  const userAgent = request.headers?.['user-agent'];
  return { method: request.method, url: request.url, remoteAddress: request.remoteAddress, ...(userAgent !== undefined && { userAgent }) };
}

/** What a request's completion line says of its response. */
function responseSummary(response: { statusCode: number | null; headers?: Record<string, unknown> }): { statusCode: number | null; contentLength?: unknown } {
  const contentLength = response.headers?.['content-length'];
  return contentLength === undefined ? { statusCode: response.statusCode } : { statusCode: response.statusCode, contentLength };
}
