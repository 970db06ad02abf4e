import { UseFilters } from '@nestjs/common';
import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CurrentUser, PageQuery, Public, type Principal } from '@agora/platform';
import { Recommendations } from '@agora/recommendation';
import { GetUserHandler, LoginHandler, LoginRequest, LoginResponse, RegisterUserHandler, RegisterUserRequest, UserErrorFilter } from '@agora/user';
import { randomUUID } from 'node:crypto';
import type { Loaders } from './loaders.js';
import { Product, Recommendation, User } from './types.js';

/** Accounts over GraphQL (the user context) and the signed-in customer's recommendations (the recommendation context). */
@Resolver(() => User)
@UseFilters(UserErrorFilter)
export class UsersResolver {
  constructor(
    private readonly users: GetUserHandler,
    private readonly registration: RegisterUserHandler,
    private readonly logins: LoginHandler,
    private readonly recommendationsOf: Recommendations,
  ) {}

  @Query(() => User, { description: 'The signed-in user.' })
  me(@CurrentUser() principal: Principal): Promise<User> {
    return this.users.execute(principal.userId);
  }

  @Query(() => [Recommendation], { description: 'Products for the signed-in customer: bought together with theirs, not yet theirs; best first.' })
  recommendations(@CurrentUser() principal: Principal, @Args() { first }: PageQuery): Promise<Recommendation[]> {
    return this.recommendationsOf.recommendedFor(principal.userId, first ?? 10);
  }

  @Public()
  @Mutation(() => User, { description: 'Registers a customer.' })
  async register(@Args('input') input: RegisterUserRequest): Promise<User> {
    const { userId } = await this.registration.execute(input, requestContext(randomUUID()));
    return this.users.execute(userId);
  }

  @Public()
  @Mutation(() => LoginResponse, { description: 'Trades an email and password for an access token.' })
  login(@Args('input') input: LoginRequest): Promise<LoginResponse> {
    return this.logins.execute(input.email, input.password);
  }
}

@Resolver(() => Recommendation)
export class RecommendationResolver {
  @ResolveField(() => Product, { nullable: true })
  async product(@Parent() recommendation: Recommendation, @Context('loaders') loaders: Loaders): Promise<Product | null> {
    return (await loaders.product.load(recommendation.sku)) ?? null;
  }
}
