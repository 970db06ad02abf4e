import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter, type HttpException } from '@nestjs/common';
import { WrongExpectedVersion } from '@agora/event-sourcing';
import { answerError } from '@agora/platform';
import { IdempotencyKeyReused, InvalidOrder, OrderError, OrderNotFound, PendingLimitReached } from '../domain/errors.js';

/**
 * Answers order's domain errors, over REST or GraphQL, the way Nest answers its own: an invalid order is 400
 * with one message per bad field (like the validation pipe), an unknown order 404, a
 * reused idempotency key 422, a customer's pending orders at their limit 429 naming the
 * limit and its value (`limit`, `max`), any other refused transition 409, as is a stream
 * that other writers kept changing. A domain error is thrown before anything is appended.
 */
@Catch(OrderError, WrongExpectedVersion)
export class OrderErrorFilter implements ExceptionFilter {
  catch(error: OrderError | WrongExpectedVersion, host: ArgumentsHost): HttpException | undefined {
    if (error instanceof PendingLimitReached) return answerError(host, HttpStatus.TOO_MANY_REQUESTS, error.message, { limit: error.limit, max: error.max });
    const status =
      error instanceof InvalidOrder
        ? HttpStatus.BAD_REQUEST
        : error instanceof OrderNotFound
          ? HttpStatus.NOT_FOUND
          : error instanceof IdempotencyKeyReused
            ? HttpStatus.UNPROCESSABLE_ENTITY
            : HttpStatus.CONFLICT;
    const message = error instanceof InvalidOrder ? error.problems : error.message;
    return answerError(host, status, message);
  }
}
