import { Args, ArgsType, Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { FirstQuery, Public, SafeInt } from '@agora/platform';
import { IsString } from 'class-validator';
import { Recommendations } from '../recommendations.js';

@ObjectType({ description: 'A product bought in the same orders as another.' })
export class AlsoBought {
  @Field() sku!: string;
  @Field(() => SafeInt, { description: 'Confirmed orders that contained both.' }) count!: number;
}

// One class for all the arguments: the validation pipe refuses any argument a class does not declare.
@ArgsType()
class AlsoBoughtArgs extends FirstQuery {
  @Field()
  @IsString()
  sku!: string;
}

/**
 * What a product was bought with, by sku, as GET /api/products/:sku/also-bought answers
 * it. The shop has no such query: there it is `Product.alsoBought` (see `ProductAlsoBoughtResolver`).
 */
@Resolver(() => AlsoBought)
export class AlsoBoughtResolver {
  constructor(private readonly recommendations: Recommendations) {}

  @Public()
  @Query(() => [AlsoBought], { description: 'Products bought in the same orders as this one, most often first.' })
  alsoBought(@Args() { sku, first }: AlsoBoughtArgs): Promise<AlsoBought[]> {
    return this.recommendations.alsoBought(sku, first ?? 10);
  }
}
