import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { HttpException, HttpStatus } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Codes of an operation refused for what the client sent, before anything ran. */
const BAD_REQUEST_CODES: readonly string[] = [
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  'QUERY_TOO_COMPLEX',
];

/** The codes Apollo's clients know for the HTTP statuses of Nest's exceptions; the others are named after the status (`CONFLICT`, `TOO_MANY_REQUESTS`). */
const CODE_OF_STATUS: Partial<Record<number, string>> = {
  [HttpStatus.BAD_REQUEST]: ApolloServerErrorCode.BAD_REQUEST,
  [HttpStatus.UNPROCESSABLE_ENTITY]: ApolloServerErrorCode.BAD_USER_INPUT,
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHENTICATED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
};

/** A missing entity stays an error of the operation answered with 200, as before statuses were mapped. */
const KEPT_AT_200: readonly string[] = ['NOT_FOUND'];

const INTERNAL = ApolloServerErrorCode.INTERNAL_SERVER_ERROR;

/**
 * PostgreSQL's data exceptions (class 22: invalid text for a uuid or a timestamp, a NUL or
 * an encoding it cannot store, a number out of range): a value of the request the
 * validation at the edge let through. Answered as a client's mistake, without the
 * database's words.
 */
function isDataException(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && code.startsWith('22') && typeof severity === 'string';
}

/**
 * Apollo's `formatError`: an HTTP exception of a resolver (or of a guard, pipe or filter)
 * keeps its message (validation's messages joined with `; `) and gets the code of its
 * status, and the other fields of its body (`retryAfter`, `limit`…) as extensions; a PostgreSQL data exception is BAD_REQUEST;
 * any other failure of the server is 'Internal server error', with nothing of its cause
 * (which Nest has logged). Errors Apollo itself raised keep their code and message.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Nest's own formatting, which runs first, may hand over a GraphQLError rather than its JSON.
  const plain = formatted instanceof GraphQLError ? formatted.toJSON() : formatted;
  const cause = unwrapResolverError(error);
  if (cause instanceof HttpException) {
    const body = cause.getResponse() as { statusCode?: unknown; error?: unknown; message?: unknown } | string;
    // What the REST body says besides its status and message (`retryAfter`, the `limit` and `max` a request passed…).
    const { statusCode: _status, error: _reason, message: _message, ...details } = typeof body === 'object' ? body : {};
    // Validation's messages, one per failing field, rather than the exception's name.
    const messages = typeof body === 'object' && Array.isArray(body.message) && body.message.every((m) => typeof m === 'string') ? (body.message as string[]) : undefined;
    const code = CODE_OF_STATUS[cause.getStatus()] ?? HttpStatus[cause.getStatus()] ?? INTERNAL;
    // Keeps `originalError`, Nest's copy of the exception's body: validation lists its messages there.
    return { ...plain, message: messages?.length ? messages.join('; ') : cause.message, extensions: { ...plain.extensions, ...details, code } };
  }
  const driverError = (cause as { driverError?: unknown } | undefined)?.driverError ?? cause;
  if (isDataException(driverError)) {
    return { ...plain, message: 'A value of the request is not valid for its field', extensions: { code: ApolloServerErrorCode.BAD_REQUEST } };
  }
  if (plain.extensions?.['code'] === INTERNAL) return { ...plain, message: 'Internal server error', extensions: { code: INTERNAL } };
  return plain;
}

/**
 * An error without graphql-js's hints ("Cannot query field "x" on type "Query". Did you
 * mean "y"?"), which spell out the schema's names to someone who may not introspect it.
 */
export function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message.replace(/\s*Did you mean .*\?$/s, '');
  return message === formatted.message ? formatted : { ...formatted, message };
}

/** The HTTP status of an error's code, as REST would answer it. */
function statusOf(error: GraphQLFormattedError): number {
  const code = String(error.extensions?.['code'] ?? INTERNAL);
  if (BAD_REQUEST_CODES.includes(code)) return HttpStatus.BAD_REQUEST;
  if (KEPT_AT_200.includes(code)) return HttpStatus.OK;
  const status = (HttpStatus as unknown as Record<string, number | undefined>)[code === 'UNAUTHENTICATED' ? 'UNAUTHORIZED' : code];
  // 503: an app the gateway needed did not answer (SERVICE_UNAVAILABLE); worth asking again later.
  return status !== undefined && ((status >= 400 && status < 500) || status === HttpStatus.SERVICE_UNAVAILABLE) ? status : HttpStatus.INTERNAL_SERVER_ERROR;
}

/** Whether some field of the operation has an answer: data, or null that is not the place of an error. */
function answeredSome(data: Record<string, unknown> | null | undefined, errors: readonly GraphQLFormattedError[]): boolean {
  if (data == null) return false;
  return Object.entries(data).some(([field, value]) => value !== null || !errors.some((error) => error.path?.[0] === field));
}

/**
 * Answers an operation that produced no data with the HTTP status REST would give its
 * first error: 400 for a query refused (parse, validation, depth, aliases, mutations, cost,
 * variables), 401, 403, 409, 429 with `Retry-After`…, 503 when an app behind the gateway
 * did not answer; 500 only for a fault of the server.
 * A field that is null in the place of its error is no answer. An operation with data
 * (some fields answered) stays 200 with its errors beside the data.
 */
export function httpStatuses(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors?.length || answeredSome(data, errors)) return;
          const statuses = errors.map(statusOf);
          const status = statuses.includes(HttpStatus.INTERNAL_SERVER_ERROR) ? HttpStatus.INTERNAL_SERVER_ERROR : statuses[0]!;
          response.http.status = status;
          const retryAfter = errors[0]!.extensions?.['retryAfter'];
          if (status === HttpStatus.TOO_MANY_REQUESTS && typeof retryAfter === 'number') response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}
