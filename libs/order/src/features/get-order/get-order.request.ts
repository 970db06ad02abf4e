import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateIf, type ValidationArguments } from 'class-validator';

export const WAITS = ['terminal'] as const;
export const DEFAULT_WAIT_MS = 10_000;
export const MAX_WAIT_MS = 30_000;

export class GetOrderQuery {
  @ApiPropertyOptional({
    enum: WAITS,
    description: 'terminal: answer once the order is CONFIRMED, REJECTED or CANCELLED, or with its current view (PENDING) after timeoutMs.',
  })
  // A timeout alone would be ignored silently: it needs the wait it bounds.
  @ValidateIf((query: GetOrderQuery) => query.wait !== undefined || query.timeoutMs !== undefined)
  @IsIn(WAITS, {
    message: ({ value }: ValidationArguments) =>
      value === undefined ? 'wait must be terminal when timeoutMs is given' : `wait must be one of the following values: ${WAITS.join(', ')}`,
  })
  wait?: (typeof WAITS)[number];

  @ApiPropertyOptional({
    description: `With wait: the longest the answer waits, in milliseconds, 0 to ${MAX_WAIT_MS}.`,
    minimum: 0,
    maximum: MAX_WAIT_MS,
    default: DEFAULT_WAIT_MS,
  })
  @IsOptional()
  // Only digits count as a number: Number('') is 0 and Number('1e3') 1000.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_MS)
  timeoutMs?: number;
}
