import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { requestContext } from '@agora/event-sourcing';
import { CorrelationId, CurrentUser, type Principal } from '@agora/platform';
import { RequestCancellationHandler } from '../features/cancel-order/cancel-order.handler.js';
import { GetCheckoutHandler } from '../features/get-checkout/get-checkout.handler.js';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from '../features/get-order/get-order.request.js';
import { WaitForOutcomeHandler } from '../features/get-order/wait-for-outcome.handler.js';
import { ListOrdersHandler } from '../features/list-orders/list-orders.handler.js';
import { ListOrdersQuery } from '../features/list-orders/list-orders.request.js';
import { OrderAccess } from '../features/order-access.js';
import { OrderErrorFilter } from '../features/order-error.filter.js';
import { PlaceOrderHandler } from '../features/place-order/place-order.handler.js';
import { idempotencyKeyProblem, PlaceOrderRequest } from '../features/place-order/place-order.request.js';
import { Order, OrderPage, OrderWait, PlacedOrder, Saga } from './order.types.js';

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
    private readonly outcome: WaitForOutcomeHandler,
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

  @Query(() => Order, { description: 'An order; with wait, once its checkout has ended or timeoutMs has passed (a long-poll, as GET /api/orders/{id}?wait=terminal).' })
  order(
    @Args('id', { type: () => ID }, new ParseUUIDPipe()) orderId: string,
    @CurrentUser() principal: Principal,
    @Context('req') request: IncomingMessage & { res?: ServerResponse },
    @Args('wait', { type: () => OrderWait, nullable: true, description: 'Answer once the order has its outcome, or as it stands after timeoutMs.' }) wait?: OrderWait | null,
    @Args('timeoutMs', { type: () => Int, nullable: true, description: `With wait: the longest the answer waits, in milliseconds, 0 to ${MAX_WAIT_MS} (default ${DEFAULT_WAIT_MS}).` })
    timeoutMs?: number | null,
  ): Promise<Order> {
    if (timeoutMs != null) {
      // A timeout alone would be ignored silently: it needs the wait it bounds.
      if (wait == null) throw new BadRequestException('wait must be TERMINAL when timeoutMs is given');
      if (timeoutMs < 0 || timeoutMs > MAX_WAIT_MS) throw new BadRequestException(`timeoutMs must be from 0 to ${MAX_WAIT_MS}`);
    }
    if (wait == null) return this.access.orderFor(principal, orderId);
    // Before the answer, 'close' means the client went away: nobody is left to wait for.
    const gone = new AbortController();
    request.res?.once('close', () => gone.abort());
    return this.outcome.execute(principal, orderId, { timeoutMs: timeoutMs ?? DEFAULT_WAIT_MS, signal: gone.signal });
  }

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
    return this.placeOrderHandler.execute(
      { customerId: customer.userId, lines: input.lines.map(({ sku, quantity }) => ({ sku, quantity })), paymentToken: input.paymentToken, ...(idempotencyKey != null && { idempotencyKey }) },
      requestContext(correlationId, { userId: customer.userId }),
    );
  }

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

  @ResolveField(() => Saga, { nullable: true })
  async saga(@Parent() order: Order): Promise<Saga | null> {
    return (await this.checkouts.execute(order.orderId)) ?? null;
  }
}
