import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter, type HttpException } from '@nestjs/common';
import { WrongExpectedVersion } from '@agora/event-sourcing';
import { answerError } from '@agora/platform';
import { InvalidQuantity, InventoryError, ProductNotFound } from '../domain/errors.js';

/**
 * Answers inventory's domain errors, over REST or GraphQL, the way Nest answers its HTTP exceptions: an unknown
 * product is 404, an out-of-range number 400, any other refused transition 409, as is a
 * stream that other writers kept changing (the command handler gave up retrying).
 * A domain error is thrown before anything is appended, so nothing is written.
 */
@Catch(InventoryError, WrongExpectedVersion)
export class InventoryErrorFilter implements ExceptionFilter {
  catch(error: InventoryError | WrongExpectedVersion, host: ArgumentsHost): HttpException | undefined {
    const status =
      error instanceof ProductNotFound ? HttpStatus.NOT_FOUND : error instanceof InvalidQuantity ? HttpStatus.BAD_REQUEST : HttpStatus.CONFLICT;
    return answerError(host, status, error.message);
  }
}
