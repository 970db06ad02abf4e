import { ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { Order } from '../get-order/order.graphql.js';
import { OrderAccess } from '../order-access.js';
import { OrderErrorFilter } from '../order-error.filter.js';
import { RequestCancellationHandler } from './cancel-order.handler.js';

/** POST /api/orders/{id}/cancel over GraphQL: answers the order as it stands after the request. */
@Resolver()
@UseFilters(OrderErrorFilter)
export class CancelOrderResolver {
  constructor(
    private readonly access: OrderAccess,
    private readonly cancellation: RequestCancellationHandler,
  ) {}

  @Mutation(() => Order, { description: 'Asks for a pending order to be cancelled; the checkout undoes what it did.' })
  async cancelOrder(
    @Args('id', { type: () => ID }, new ParseUUIDPipe()) orderId: string,
    @CurrentUser() principal: Principal,
    @CorrelationId() correlationId: string,
  ): Promise<Order> {
    await this.access.orderFor(principal, orderId);
    await this.cancellation.execute(orderId, requestContext(correlationId, { userId: principal.userId }));
    return this.access.orderFor(principal, orderId);
  }
}
