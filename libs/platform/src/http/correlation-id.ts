import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestOf } from '../auth/principal.js';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** What a correlation id may be: ids end up in logs, response headers and event metadata, so plain tokens only. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The caller's correlation id when it is a sane token, else a new UUID. */
export function correlationIdFrom(header: string | readonly string[] | undefined): string {
  return typeof header === 'string' && CORRELATION_ID_PATTERN.test(header) ? header : randomUUID();
}

/**
 * Decides a request's correlation id and echoes it to the caller. pino-http calls it
 * (as `genReqId`) first thing for every request and keeps the result as `req.id`.
 */
export function assignCorrelationId(request: IncomingMessage, response: ServerResponse): string {
  const id = correlationIdFrom(request.headers[CORRELATION_ID_HEADER]);
  response.setHeader(CORRELATION_ID_HEADER, id);
  return id;
}

/** The correlation id of a request handled by a host (see `assignCorrelationId`). */
export function correlationIdOf(request: IncomingMessage): string {
  return String(request.id);
}

/** Controller or resolver parameter: the current request's correlation id, e.g. for event metadata. */
export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext) => correlationIdOf(requestOf<IncomingMessage>(context)));
