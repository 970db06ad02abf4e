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
 * Apollo's `formatError`: an HTTP exception of a resolver (or of a guard, pipe or filter)
 * keeps its message and gets the code of its status, and `retryAfter` when it has one;
 * any other failure of the server is 'Internal server error', with nothing of its cause
 * (which Nest has logged). Errors Apollo itself raised keep their code and message.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Nest's own formatting, which runs first, may hand over a GraphQLError rather than its JSON.
  const plain = formatted instanceof GraphQLError ? formatted.toJSON() : formatted;
  const cause = unwrapResolverError(error);
  if (cause instanceof HttpException) {
    const body = cause.getResponse() as { retryAfter?: unknown } | string;
    const retryAfter = typeof body === 'object' && typeof body.retryAfter === 'number' ? body.retryAfter : undefined;
    const code = CODE_OF_STATUS[cause.getStatus()] ?? HttpStatus[cause.getStatus()] ?? INTERNAL;
    // Keeps `originalError`, Nest's copy of the exception's body: validation lists its messages there.
    return { ...plain, message: cause.message, extensions: { ...plain.extensions, code, ...(retryAfter !== undefined && { retryAfter }) } };
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
  return status !== undefined && status >= 400 && status < 500 ? status : HttpStatus.INTERNAL_SERVER_ERROR;
}

/**
 * Answers an operation that produced no data with the HTTP status REST would give its
 * first error: 400 for a query refused (parse, validation, depth, aliases, mutations, cost,
 * variables), 401, 403, 409, 429 with `Retry-After`…; 500 only for a fault of the server.
 * An operation with data (some fields answered) stays 200 with its errors beside the data.
 */
export function httpStatuses(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (!errors?.length || data != null) return;
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
