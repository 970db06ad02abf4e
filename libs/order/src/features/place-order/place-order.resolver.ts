import { BadRequestException, UseFilters } from '@nestjs/common';
import { Args, Field, ID, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { OrderErrorFilter } from '../order-error.filter.js';
import { PlaceOrderHandler } from './place-order.handler.js';
import { idempotencyKeyProblem, PlaceOrderRequest } from './place-order.request.js';

@ObjectType()
export class PlacedOrder {
  @Field(() => ID) orderId!: string;
}

/** POST /api/orders over GraphQL, with the Idempotency-Key as an argument. */
@Resolver()
@UseFilters(OrderErrorFilter)
export class PlaceOrderResolver {
  constructor(private readonly handler: PlaceOrderHandler) {}

  @Mutation(() => PlacedOrder, {
    description:
      "Places an order for the caller; the checkout runs in the background. TOO_MANY_REQUESTS (HTTP 429) when the caller's pending orders, or the units in them, are at their limit.",
  })
  placeOrder(
    @Args('input') input: PlaceOrderRequest,
    @CurrentUser() customer: Principal,
    @CorrelationId() correlationId: string,
    @Args('idempotencyKey', { nullable: true }) idempotencyKey?: string,
  ): Promise<PlacedOrder> {
    // The bound of REST's Idempotency-Key, with its message.
    const problem = idempotencyKey == null ? undefined : idempotencyKeyProblem(idempotencyKey);
    if (problem) throw new BadRequestException(problem);
    return this.handler.execute(
      { customerId: customer.userId, lines: input.lines.map(({ sku, quantity }) => ({ sku, quantity })), paymentToken: input.paymentToken, ...(idempotencyKey != null && { idempotencyKey }) },
      requestContext(correlationId, { userId: customer.userId }),
    );
  }
}
