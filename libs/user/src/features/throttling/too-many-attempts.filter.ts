import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { TooManyAttempts } from './sign-in-throttle.js';

interface Response {
  setHeader(name: string, value: string): void;
  status(code: number): { json(body: unknown): void };
}

/**
 * Answers a throttled sign-in or registration: over REST 429 with `Retry-After` in seconds;
 * over GraphQL the exception becomes the operation's error (the GraphQL layer answers it
 * with 429 and the same header).
 */
@Catch(TooManyAttempts)
export class TooManyAttemptsFilter implements ExceptionFilter {
  catch(error: TooManyAttempts, host: ArgumentsHost): TooManyAttempts | undefined {
    if (host.getType<string>() === 'graphql') return error;
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Retry-After', String(error.retryAfterSeconds));
    response.status(error.getStatus()).json(error.getResponse());
    return undefined;
  }
}
