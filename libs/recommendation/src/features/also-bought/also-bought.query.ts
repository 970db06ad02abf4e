import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_ALSO_BOUGHT_LIMIT = 10;
export const MAX_ALSO_BOUGHT_LIMIT = 50;

export class AlsoBoughtQuery {
  @ApiPropertyOptional({ description: 'Most products to list.', minimum: 1, maximum: MAX_ALSO_BOUGHT_LIMIT, default: DEFAULT_ALSO_BOUGHT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ALSO_BOUGHT_LIMIT)
  limit?: number;
}
