import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '@agora/platform';
import { GetPaymentsHandler } from './get-payments.handler.js';
import { Payments } from './payments.graphql.js';

/**
 * An order's charges and refunds by its id, as GET /api/payments answers them: for admins
 * only, since the payment context does not know whose order it is. An order's owner reads
 * them as `Order.payments`: in the shop through `OrderPaymentsResolver`, in the
 * distributed mode through the gateway, which has read the order as its owner and asks
 * here as a `service`.
 */
@Resolver(() => Payments)
@Roles('admin', 'service')
export class PaymentsResolver {
  constructor(private readonly paymentsOf: GetPaymentsHandler) {}

  @Query(() => Payments, { description: "An order's charges and refunds (admins only); empty lists before any payment." })
  payments(@Args('orderId', { type: () => ID }, new ParseUUIDPipe()) orderId: string): Promise<Payments> {
    return this.paymentsOf.execute(orderId);
  }
}
