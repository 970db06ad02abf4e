import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter, type HttpException } from '@nestjs/common';
import { WrongExpectedVersion } from '@agora/event-sourcing';
import { answerError } from '@agora/platform';
import { InvalidUserField, UserError, UserNotFound, WrongPassword } from '../domain/errors.js';

/**
 * Answers the user context's domain errors, over REST or GraphQL, the way Nest answers its
 * HTTP exceptions: an unknown user is 404; a bad field 400, its message in a list like the
 * validation pipe's, so a client reads every 400 the same way; a wrong current password
 * 403 (the request is well formed and its token good, so neither 400 nor 401, which
 * would tell the client to sign in again); a taken address 409, as is a stream other
 * writers kept changing. Domain errors are thrown before anything is appended.
 */
@Catch(UserError, WrongExpectedVersion)
export class UserErrorFilter implements ExceptionFilter {
  catch(error: UserError | WrongExpectedVersion, host: ArgumentsHost): HttpException | undefined {
    if (error instanceof UserNotFound) return answerError(host, HttpStatus.NOT_FOUND, error.message);
    if (error instanceof InvalidUserField) return answerError(host, HttpStatus.BAD_REQUEST, [error.message]);
    if (error instanceof WrongPassword) return answerError(host, HttpStatus.FORBIDDEN, error.message);
    return answerError(host, HttpStatus.CONFLICT, error.message);
  }
}
