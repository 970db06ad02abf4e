import { ArgsType, Field } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@agora/platform';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ProductView } from '../get-product/product.view.js';

@ArgsType()
export class ListProductsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the product name, any letter case.', minLength: 1, maxLength: 100 })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  search?: string;
}

export class ProductPage {
  @ApiProperty({ type: [ProductView] })
  items!: ProductView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null on the last one.' })
  nextCursor!: string | null;
}
