import { Injectable } from '@nestjs/common';
import { decodeCursor, pageOf, type Page } from '@agora/platform';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../domain/order.js';
import { OrderRow } from '../../read-model/order.row.js';
import { orderViewOf, type OrderView } from '../get-order/order.view.js';

export interface ListOrders {
  /** Only this customer's orders; every order when absent (an admin's list). */
  readonly customerId?: string;
  readonly status?: OrderStatus;
  readonly first: number;
  readonly after?: string;
}

/** Orders from the read model, newest first, a page at a time (keyset on created_at, order_id). */
@Injectable()
export class ListOrdersHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute({ customerId, status, first, after }: ListOrders): Promise<Page<OrderView>> {
    const query = this.readModels.getRepository(OrderRow).createQueryBuilder('o');
    if (customerId !== undefined) query.andWhere('o.customerId = :customerId', { customerId });
    if (status !== undefined) query.andWhere('o.status = :status', { status });
    if (after !== undefined) {
      const [createdAt, orderId] = decodeCursor(after, ['timestamp', 'uuid'] as const);
      query.andWhere('(o.createdAt, o.orderId) < (:createdAt, :orderId)', { createdAt, orderId });
    }
    const rows = await query.orderBy('o.createdAt', 'DESC').addOrderBy('o.orderId', 'DESC').limit(first + 1).getMany();
    return pageOf(rows, first, orderViewOf, (row) => [row.createdAt.toISOString(), row.orderId]);
  }
}
