import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CHECKOUT_SAGA, type CheckoutSaga } from '../../checkout/checkout-saga.js';
import { CheckoutRow } from '../../read-model/checkout.row.js';
import type { CheckoutView } from './checkout.view.js';

/** An order's checkout from the `order.checkouts` read model; `undefined` before its saga started. */
@Injectable()
export class GetCheckoutHandler {
  constructor(
    private readonly readModels: DataSource,
    @Inject(CHECKOUT_SAGA) private readonly saga: CheckoutSaga,
  ) {}

  async execute(orderId: string): Promise<CheckoutView | undefined> {
    const row = await this.readModels.getRepository(CheckoutRow).findOneBy({ orderId });
    if (!row) return undefined;
    const { status, currentStep, reason, deadline, steps } = row;
    return { orderId, status, currentStep, reason, deadline, steps, compensations: [...(this.saga.compensations ?? [])] };
  }
}
