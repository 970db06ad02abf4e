import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { Config } from '../config/config.schema.js';
import { assignCorrelationId } from '../http/correlation-id.js';

/** The process's one logger: JSON lines on stdout. */
export function createLogger(options: { readonly name: string; readonly level: Config['LOG_LEVEL'] }): pino.Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    // Synchronous, so that lines keep their order with the rest of stdout and none is
    // lost when the process exits.
    pino.destination({ dest: 1, sync: true }),
  );
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
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
  });
}
