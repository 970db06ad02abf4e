import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '@agora/platform';

/** A product over GraphQL: `ProductView` of REST. */
@ObjectType({ description: 'A product with its stock levels.' })
export class Product {
  @Field(() => ID) sku!: string;
  @Field() name!: string;
  @Field(() => Int, { description: 'Price in the smallest unit of the currency.' }) priceCents!: number;
  @Field() currency!: string;
  @Field(() => SafeInt) available!: number;
  @Field(() => SafeInt) reserved!: number;
  @Field(() => SafeInt) sold!: number;
}
