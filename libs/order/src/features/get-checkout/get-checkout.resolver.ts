import { Field, ObjectType, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Order } from '../get-order/order.graphql.js';
import { GetCheckoutHandler } from './get-checkout.handler.js';

@ObjectType()
export class SagaStep {
  @Field() step!: string;
  @Field() input!: string;
  @Field() at!: string;
}

@ObjectType({ description: "An order's checkout saga." })
export class Saga {
  @Field() status!: string;
  @Field() currentStep!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => [SagaStep]) steps!: SagaStep[];
}

/** GET /api/orders/{id}/saga over GraphQL: the order's `saga` field (the order was checked for the caller already). */
@Resolver(() => Order)
export class GetCheckoutResolver {
  constructor(private readonly checkouts: GetCheckoutHandler) {}

  @ResolveField(() => Saga, { nullable: true })
  async saga(@Parent() order: Order): Promise<Saga | null> {
    return (await this.checkouts.execute(order.orderId)) ?? null;
  }
}
