import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { MAX_STOCK_ADDITION } from '../../domain/bounds.js';

/** The body of POST /api/products/{sku}/stock. */
export class AddStockRequest {
  @ApiProperty({ description: `Units received, at most ${MAX_STOCK_ADDITION} at once.`, example: 5, minimum: 1, maximum: MAX_STOCK_ADDITION })
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK_ADDITION)
  quantity!: number;
}

/** The arguments of the addStock mutation: the same rules as REST, the sku beside the quantity. */
@ArgsType()
export class AddStockArgs {
  // As over REST, a sku that names no product is answered as not found.
  @Field()
  @IsString()
  sku!: string;

  @Field(() => Int, { description: `Units received, from 1 to ${MAX_STOCK_ADDITION} at once.` })
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK_ADDITION)
  quantity!: number;
}
