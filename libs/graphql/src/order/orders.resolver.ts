import { ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import {
  GetCheckoutHandler,
  ListOrdersHandler,
  ListOrdersQuery,
  OrderAccess,
  OrderErrorFilter,
  PlaceOrderHandler,
  PlaceOrderRequest,
  RequestCancellationHandler,
} from '@agora/order';
import { CurrentUser, type Principal } from '@agora/platform';
import { randomUUID } from 'node:crypto';
import { Order, OrderPage, PlacedOrder, Saga } from './order.types.js';

/**
 * Orders over GraphQL, the order context's handlers: a customer sees and changes only
 * their own (403 otherwise, as over REST), an admin sees all. An order's saga is the
 * order context's too.
 */
@Resolver(() => Order)
@UseFilters(OrderErrorFilter)
export class OrdersResolver {
  constructor(
    private readonly access: OrderAccess,
    private readonly listOrders: ListOrdersHandler,
    private readonly placeOrderHandler: PlaceOrderHandler,
    private readonly cancellation: RequestCancellationHandler,
    private readonly checkouts: GetCheckoutHandler,
  ) {}

  @Query(() => OrderPage, { description: "The caller's orders, newest first (an admin's: everyone's)." })
  orders(@Args() { status, first, after }: ListOrdersQuery, @CurrentUser() principal: Principal): Promise<OrderPage> {
    return this.listOrders.execute({
      ...(principal.role !== 'admin' && { customerId: principal.userId }),
      ...(status && { status }),
      first: first ?? 20,
      ...(after && { after }),
    });
  }

  @Query(() => Order)
  order(@Args('id', { type: () => ID }, new ParseUUIDPipe()) orderId: string, @CurrentUser() principal: Principal): Promise<Order> {
    return this.access.orderFor(principal, orderId);
  }

  @Mutation(() => PlacedOrder, { description: 'Places an order for the caller; the checkout runs in the background.' })
  placeOrder(
    @Args('input') input: PlaceOrderRequest,
    @CurrentUser() customer: Principal,
    @Args('idempotencyKey', { nullable: true }) idempotencyKey?: string,
  ): Promise<PlacedOrder> {
    return this.placeOrderHandler.execute(
      { customerId: customer.userId, lines: input.lines.map(({ sku, quantity }) => ({ sku, quantity })), paymentToken: input.paymentToken, ...(idempotencyKey && { idempotencyKey }) },
      requestContext(randomUUID(), { userId: customer.userId }),
    );
  }

  @Mutation(() => Order, { description: 'Asks for a pending order to be cancelled; the checkout undoes what it did.' })
  async cancelOrder(@Args('id', { type: () => ID }, new ParseUUIDPipe()) orderId: string, @CurrentUser() principal: Principal): Promise<Order> {
    await this.access.orderFor(principal, orderId);
    await this.cancellation.execute(orderId, requestContext(randomUUID(), { userId: principal.userId }));
    return this.access.orderFor(principal, orderId);
  }

  @ResolveField(() => Saga, { nullable: true })
  async saga(@Parent() order: Order): Promise<Saga | null> {
    return (await this.checkouts.execute(order.orderId)) ?? null;
  }
}
