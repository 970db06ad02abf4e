import { Args, Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, FirstQuery, SafeInt, type Principal } from '@agora/platform';
import { Recommendations } from '../recommendations.js';

@ObjectType({ description: 'A product recommended to the signed-in customer.' })
export class Recommendation {
  @Field() sku!: string;
  @Field(() => SafeInt) score!: number;
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
