import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderRow } from '../../read-model/order.row.js';
import type { OrderView } from './order.view.js';

/** Reads an order from the `order.orders` read model; `undefined` for an unknown order. */
@Injectable()
export class GetOrderHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute(orderId: string): Promise<OrderView | undefined> {
    const row = await this.readModels.getRepository(OrderRow).findOneBy({ orderId });
    if (!row) return undefined;
    const { customerId, status, reason, lines, totalCents, currency, createdAt, updatedAt } = row;
    return { orderId, customerId, status, reason, lines, totalCents, currency, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
  }
}
