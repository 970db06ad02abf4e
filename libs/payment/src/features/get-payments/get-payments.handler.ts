import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PaymentRow } from '../../read-model/payment.row.js';
import type { PaymentsView } from './payments-view.js';

/** An order's charges and refunds from the `payment.payments` read model; empty lists before any payment. */
@Injectable()
export class GetPaymentsHandler {
  constructor(private readonly readModels: DataSource) {}

  async execute(orderId: string): Promise<PaymentsView> {
    const row = await this.readModels.getRepository(PaymentRow).findOneBy({ orderId });
    return { orderId, charges: row?.charges ?? [], refunds: row?.refunds ?? [] };
  }
}
