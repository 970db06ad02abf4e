import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter, type HttpException } from '@nestjs/common';
import { DeadLetterBusy } from '@agora/messaging';
import { answerError } from '@agora/platform';
import { RebuildUnderWay } from '@agora/projections';
import { UnknownProjection } from './projection-rebuilds.js';

/**
 * Answers what the operations API's work refuses, the way Nest answers its HTTP
 * exceptions: a projection it does not have is 404 (the message names those it has); a
 * rebuild of the same schema under way, or another replay of the same dead letter, 409.
 */
@Catch(UnknownProjection, RebuildUnderWay, DeadLetterBusy)
export class OperationsErrorFilter implements ExceptionFilter {
  catch(error: UnknownProjection | RebuildUnderWay | DeadLetterBusy, host: ArgumentsHost): HttpException | undefined {
    return answerError(host, error instanceof UnknownProjection ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT, error.message);
  }
}
