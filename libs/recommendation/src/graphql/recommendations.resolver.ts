import { Args, ArgsType, Field, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, FirstQuery, Public, type Principal } from '@agora/platform';
import { IsString } from 'class-validator';
import { Recommendations } from '../features/recommendations.js';
import { AlsoBought, Recommendation } from './recommendation.types.js';

// One class for all the arguments: the validation pipe refuses any argument a class does not declare.
@ArgsType()
class AlsoBoughtArgs extends FirstQuery {
  @Field()
  @IsString()
  sku!: string;
}

/** The signed-in customer's recommendations, by sku (the shop adds each one's product). */
@Resolver(() => Recommendation)
export class RecommendationsResolver {
  constructor(private readonly recommendationsOf: Recommendations) {}

  @Query(() => [Recommendation], { description: 'Products for the signed-in customer: bought together with theirs, not yet theirs; best first.' })
  recommendations(@CurrentUser() principal: Principal, @Args() { first }: FirstQuery): Promise<Recommendation[]> {
    return this.recommendationsOf.recommendedFor(principal.userId, first ?? 10);
  }
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
