import type { RecordedEvent } from '@agora/event-sourcing';
import { rowProjection } from '@agora/projections';
import { isInputHandled, type InputHandled } from '@agora/saga';
import { CHECKOUT_CATEGORY } from '../checkout/checkout-saga.js';
import { CheckoutRow } from './checkout.row.js';
import { ORDER_READ_SCHEMA } from './orders.projection.js';

/** Pure: an order's checkout row after one step of its saga. */
export function evolveCheckoutRow(row: CheckoutRow | undefined, event: InputHandled, orderId: string): CheckoutRow {
  const { step, status, reason, deadline, input, at } = event.data;
  return Object.assign(new CheckoutRow(), {
    orderId,
    status,
    currentStep: step,
    reason: reason ?? null,
    deadline: deadline && { name: deadline.name, dueAt: deadline.dueAt },
    steps: [...(row?.steps ?? []), { step, input: input.type, at }],
  });
}

/** The checkout saga's view, from its stream `checkout-<orderId>`. */
export const checkoutsProjection = rowProjection<CheckoutRow>({
  name: 'order.checkouts',
  schema: ORDER_READ_SCHEMA,
  categories: [CHECKOUT_CATEGORY],
  entity: CheckoutRow,
  key: 'orderId',
  rowPerStream: true,
  keyOf: (event) => (isInputHandled(event) ? orderIdOf(event) : undefined),
  evolve: (row, event) => evolveCheckoutRow(row, event as RecordedEvent<InputHandled>, orderIdOf(event)),
});

function orderIdOf(event: RecordedEvent): string {
  return event.streamName.slice(CHECKOUT_CATEGORY.length + 1);
}
