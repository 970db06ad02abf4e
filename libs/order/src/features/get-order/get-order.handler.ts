import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderRow } from '../../read-model/order.row.js';
import { orderViewOf, type OrderView } from './order.view.js';

/** Reads an order from the `order.orders` read model; `undefined` for an unknown order. */
@Injectable()
export class GetOrderHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute(orderId: string): Promise<OrderView | undefined> {
    const row = await this.readModels.getRepository(OrderRow).findOneBy({ orderId });
    return row ? orderViewOf(row) : undefined;
  }
}
