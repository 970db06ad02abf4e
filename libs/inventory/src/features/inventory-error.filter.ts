import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { WrongExpectedVersion } from '@agora/event-sourcing';
import { InvalidQuantity, InventoryError, ProductNotFound } from '../domain/errors.js';

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * Answers inventory's domain errors the way Nest answers its HTTP exceptions: an unknown
 * product is 404, an out-of-range number 400, any other refused transition 409, as is a
 * stream that other writers kept changing (the command handler gave up retrying).
 * A domain error is thrown before anything is appended, so nothing is written.
 */
@Catch(InventoryError, WrongExpectedVersion)
export class InventoryErrorFilter implements ExceptionFilter {
  catch(error: InventoryError | WrongExpectedVersion, host: ArgumentsHost): void {
    const status =
      error instanceof ProductNotFound ? HttpStatus.NOT_FOUND : error instanceof InvalidQuantity ? HttpStatus.BAD_REQUEST : HttpStatus.CONFLICT;
    const reason = status === HttpStatus.NOT_FOUND ? 'Not Found' : status === HttpStatus.BAD_REQUEST ? 'Bad Request' : 'Conflict';
    host.switchToHttp().getResponse<JsonResponse>().status(status).json({ statusCode: status, error: reason, message: error.message });
  }
}
