import { UseFilters } from '@nestjs/common';
import { Args, Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, type Principal } from '@agora/platform';
import { Order } from '../get-order/order.graphql.js';
import { OrderErrorFilter } from '../order-error.filter.js';
import { ListOrdersHandler } from './list-orders.handler.js';
import { ListOrdersQuery } from './list-orders.request.js';

@ObjectType()
export class OrderPage {
  @Field(() => [Order]) items!: Order[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

/** GET /api/orders over GraphQL. */
@Resolver()
@UseFilters(OrderErrorFilter)
export class ListOrdersResolver {
  constructor(private readonly listOrders: ListOrdersHandler) {}

  @Query(() => OrderPage, { description: "The caller's orders, newest first (an admin's: everyone's)." })
  orders(@Args() { status, first, after }: ListOrdersQuery, @CurrentUser() principal: Principal): Promise<OrderPage> {
    return this.listOrders.execute({
      ...(principal.role !== 'admin' && { customerId: principal.userId }),
      ...(status && { status }),
      first: first ?? 20,
      ...(after && { after }),
    });
  }
}
