import { Inject, Injectable } from '@nestjs/common';
import { SagaRuntime, type SagaDefinition, type SagaInput } from '@agora/saga';
import { CHECKOUT_SAGA, type CheckoutSaga } from '../../checkout/checkout-saga.js';
import type { CheckoutView } from './checkout.view.js';

/** The checkout saga of an order as operators see it (never its state: that holds the payment token). */
@Injectable()
export class GetCheckoutHandler {
  constructor(
    private readonly runtime: SagaRuntime,
    @Inject(CHECKOUT_SAGA) private readonly saga: CheckoutSaga,
  ) {}

  async execute(orderId: string): Promise<CheckoutView | undefined> {
    const instance = await this.runtime.read(this.saga as SagaDefinition<unknown, SagaInput>, orderId);
    if (!instance) return undefined;
    return {
      orderId,
      status: instance.status,
      currentStep: instance.step ?? 'started',
      reason: instance.reason ?? null,
      deadline: instance.deadline && { name: instance.deadline.name, dueAt: instance.deadline.dueAt },
      steps: instance.steps.map(({ step, input, at }) => ({ step, input, at })),
    };
  }
}
