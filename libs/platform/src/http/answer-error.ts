import { HttpException, HttpStatus, type ArgumentsHost } from '@nestjs/common';

const REASONS: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Bad Request',
  [HttpStatus.UNAUTHORIZED]: 'Unauthorized',
  [HttpStatus.FORBIDDEN]: 'Forbidden',
  [HttpStatus.NOT_FOUND]: 'Not Found',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'Unprocessable Entity',
  [HttpStatus.TOO_MANY_REQUESTS]: 'Too Many Requests',
};

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * What an exception filter of a context answers for a domain error, over either
 * transport: over REST the JSON body Nest gives its own HTTP exceptions; in a GraphQL
 * operation the same as an `HttpException`, which becomes the operation's error (with
 * the status in its extensions). Return the result from `catch`.
 */
export function answerError(
  host: ArgumentsHost,
  status: HttpStatus,
  message: string | readonly string[],
  /** More fields of the body, after the message (e.g. the limit a request passed). */
  details: Readonly<Record<string, unknown>> = {},
): HttpException | undefined {
  const body = { statusCode: status, error: REASONS[status] ?? 'Error', message, ...details };
  if (host.getType<string>() === 'graphql') return new HttpException(body, status);
  host.switchToHttp().getResponse<JsonResponse>().status(status).json(body);
  return undefined;
}
