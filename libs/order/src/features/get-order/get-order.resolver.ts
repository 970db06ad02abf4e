import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, ParseUUIDPipe, UseFilters } from '@nestjs/common';
import { Args, Context, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, type Principal } from '@agora/platform';
import { OrderAccess } from '../order-access.js';
import { OrderErrorFilter } from '../order-error.filter.js';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from './get-order.request.js';
import { Order, OrderWait } from './order.graphql.js';
import { WaitForOutcomeHandler } from './wait-for-outcome.handler.js';

/** GET /api/orders/{id} over GraphQL: a customer sees only their own orders (FORBIDDEN otherwise), an admin all. */
@Resolver(() => Order)
@UseFilters(OrderErrorFilter)
export class GetOrderResolver {
  constructor(
    private readonly access: OrderAccess,
    private readonly outcome: WaitForOutcomeHandler,
  ) {}

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
}
