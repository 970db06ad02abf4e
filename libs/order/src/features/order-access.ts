import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { mayAccess, type Principal } from '@agora/platform';
import { GetOrderHandler } from './get-order/get-order.handler.js';
import type { OrderView } from './get-order/order.view.js';

/** An order as its customer or an admin may see it: 404 when there is none, 403 for anyone else's. */
@Injectable()
export class OrderAccess {
  constructor(private readonly orders: GetOrderHandler) {}

  async orderFor(principal: Principal, orderId: string): Promise<OrderView> {
    return this.shown(principal, orderId, await this.orders.execute(orderId));
  }

  /** `order`, known without reading it, as `principal` may see it. */
  shown(principal: Principal, orderId: string, order: OrderView | undefined): OrderView {
    if (!order) throw new NotFoundException(`There is no order ${orderId}.`);
    if (!mayAccess(principal, order.customerId)) throw new ForbiddenException(`Order ${orderId} belongs to another customer.`);
    return order;
  }
}
