import { Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_PRICE_CENTS, MAX_STOCK_ADDITION } from '../../domain/bounds.js';
import { IsCurrencyCode, IsSku } from '../contract-validators.js';

/** The body of POST /api/products, and the input of the addProduct mutation. */
@InputType('AddProductInput')
export class AddProductRequest {
  @ApiProperty({ description: 'Stock keeping unit: upper-case letters, digits and dashes.', example: 'TSHIRT-RED-M', pattern: '^[A-Z0-9][A-Z0-9-]{0,63}$' })
  @Field()
  @IsSku()
  sku!: string;

  @ApiProperty({ example: 'Red T-shirt, size M', minLength: 1, maxLength: 200 })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ description: `Price in the smallest unit of the currency, at most ${MAX_PRICE_CENTS}.`, example: 1999, minimum: 0, maximum: MAX_PRICE_CENTS })
  @Field(() => Int, { description: `Price in the smallest unit of the currency, from 0 to ${MAX_PRICE_CENTS}.` })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents!: number;

  @ApiProperty({ description: 'ISO 4217 currency code.', example: 'EUR', pattern: '^[A-Z]{3}$' })
  @Field()
  @IsCurrencyCode()
  currency!: string;

  @ApiProperty({ description: `Units in stock from the start, at most ${MAX_STOCK_ADDITION}.`, example: 10, minimum: 0, maximum: MAX_STOCK_ADDITION })
  @Field(() => Int, { description: `Units in stock from the start, from 0 to ${MAX_STOCK_ADDITION}.` })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK_ADDITION)
  initialStock!: number;
}

export class AddProductResponse {
  @ApiProperty({ example: 'TSHIRT-RED-M' })
  sku!: string;
}
