import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';

export class AddStockRequest {
  @ApiProperty({ description: 'Units received.', example: 5, minimum: 1 })
  @IsInt()
  @Min(1)
  quantity!: number;
}
