import type { Decider, Event } from '@agora/event-sourcing';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from './bounds.js';
import { IdempotencyKeyReused, InvalidOrder, InvalidOrderTransition, OrderNotFound } from './errors.js';

export const ORDER_CATEGORY = 'order';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** A line as the catalog priced it: each product has its own currency, an order has one. */
export interface PricedLine extends OrderLine {
  readonly currency: string;
}

/** What was ordered and at what price: the part of a placed order that others may see. */
export type OrderTerms = {
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly currency: string;
  readonly totalCents: number;
  readonly at: string;
};

export type OrderPlacedData = OrderTerms & {
  /** Private to the order context: the checkout saga hands it to payment, nobody else sees it. */
  readonly paymentToken: string;
  /** Fingerprint of the request that placed the order: the same idempotency key with another request is refused. */
  readonly requestHash: string;
};

/** Order's private domain events; the outbound mapping turns them into `order.order-*.v1` messages. */
export type OrderEvent =
  | Event<'order.placed.v1', OrderPlacedData>
  // Carries the terms the integration event needs, so that the relay maps it without state.
  | Event<'order.confirmed.v1', OrderTerms>
  | Event<'order.rejected.v1', { orderId: string; reason: string; at: string }>
  | Event<'order.cancellation-requested.v1', { orderId: string; at: string }>
  | Event<'order.cancelled.v1', { orderId: string; at: string }>;

/** The names of its events, each once: the one source of truth of each (checked against the integration messages' names). */
export const ORDER_EVENT_TYPES = Object.keys({
  'order.placed.v1': true,
  'order.confirmed.v1': true,
  'order.rejected.v1': true,
  'order.cancellation-requested.v1': true,
  'order.cancelled.v1': true,
} satisfies Record<OrderEvent['type'], true>) as OrderEvent['type'][];

export type OrderCommand =
  | {
      type: 'place-order';
      orderId: string;
      customerId: string;
      lines: readonly PricedLine[];
      paymentToken: string;
      requestHash: string;
      at: string;
    }
  | { type: 'confirm-order'; orderId: string; at: string }
  | { type: 'reject-order'; orderId: string; reason: string; at: string }
  | { type: 'request-cancellation'; orderId: string; at: string }
  | { type: 'cancel-order'; orderId: string; at: string };

export interface Order {
  readonly status: OrderStatus;
  readonly orderId: string;
  readonly customerId: string;
  readonly lines: readonly OrderLine[];
  readonly currency: string;
  readonly totalCents: number;
  readonly paymentToken: string;
  readonly requestHash: string;
  readonly reason: string | null;
  readonly cancellationRequested: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type OrderState = { readonly status: 'NONE' } | Order;

export function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  if (command.type === 'place-order') return place(command, state);
  if (state.status === 'NONE') throw new OrderNotFound(command.orderId);
  const { orderId, at } = command;
  switch (command.type) {
    case 'confirm-order':
      if (state.status === 'CONFIRMED') return [];
      if (state.status !== 'PENDING') throw new InvalidOrderTransition(orderId, state.status, 'confirmed');
      // The customer's cancellation came first and was accepted: the checkout cancels the
      // order instead, refunding what it charged (checkout-saga.ts).
      if (state.cancellationRequested) return [];
      return [
        {
          type: 'order.confirmed.v1',
          data: { orderId, customerId: state.customerId, lines: state.lines, currency: state.currency, totalCents: state.totalCents, at },
        },
      ];
    case 'reject-order':
      if (state.status === 'REJECTED') return [];
      if (state.status !== 'PENDING') throw new InvalidOrderTransition(orderId, state.status, 'rejected');
      return [{ type: 'order.rejected.v1', data: { orderId, reason: command.reason, at } }];
    case 'request-cancellation':
      if (state.status === 'CANCELLED') return []; // asked again once done: nothing changes
      if (state.status !== 'PENDING') throw new InvalidOrderTransition(orderId, state.status, 'cancelled');
      if (state.cancellationRequested) return [];
      return [{ type: 'order.cancellation-requested.v1', data: { orderId, at } }];
    case 'cancel-order':
      if (state.status === 'CANCELLED') return [];
      if (state.status !== 'PENDING') throw new InvalidOrderTransition(orderId, state.status, 'cancelled');
      return [{ type: 'order.cancelled.v1', data: { orderId, at } }];
    default:
      return unreachable(command);
  }
}

function place(command: Extract<OrderCommand, { type: 'place-order' }>, state: OrderState): OrderEvent[] {
  if (state.status !== 'NONE') {
    if (state.requestHash === command.requestHash) return []; // the same request again: same order
    throw new IdempotencyKeyReused(command.orderId);
  }
  const problems = problemsOf(command.lines);
  if (problems.length > 0) throw new InvalidOrder(problems);
  const lines = command.lines.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
  const { orderId, customerId, paymentToken, requestHash, at } = command;
  return [
    {
      type: 'order.placed.v1',
      data: {
        orderId,
        customerId,
        lines,
        currency: command.lines[0]!.currency,
        totalCents: lines.reduce((total, line) => total + line.quantity * line.unitPriceCents, 0),
        paymentToken,
        requestHash,
        at,
      },
    },
  ];
}

function problemsOf(lines: readonly PricedLine[]): string[] {
  if (lines.length === 0) return ['lines must contain at least one line'];
  const problems: string[] = [];
  if (lines.length > MAX_ORDER_LINES) problems.push(`lines must contain no more than ${MAX_ORDER_LINES} lines`);
  const seen = new Map<string, number>();
  lines.forEach((line, index) => {
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) problems.push(`lines.${index}.quantity must be a positive integer`);
    else if (line.quantity > MAX_LINE_QUANTITY) problems.push(`lines.${index}.quantity must not be greater than ${MAX_LINE_QUANTITY}`);
    const first = seen.get(line.sku);
    if (first !== undefined) problems.push(`lines.${index}.sku repeats ${line.sku} of lines.${first}; give each sku once with its total quantity`);
    else seen.set(line.sku, index);
  });
  const currency = lines[0]!.currency;
  lines.forEach((line, index) => {
    if (line.currency !== currency) {
      problems.push(`lines.${index}.sku ${line.sku} is priced in ${line.currency}, but lines.0.sku ${lines[0]!.sku} in ${currency}: an order has one currency`);
    }
  });
  return problems;
}

export function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'order.placed.v1') {
    const { at, ...placed } = event.data;
    return { ...placed, status: 'PENDING', reason: null, cancellationRequested: false, createdAt: at, updatedAt: at };
  }
  if (state.status === 'NONE') return state;
  const updatedAt = event.data.at;
  switch (event.type) {
    case 'order.confirmed.v1':
      return { ...state, status: 'CONFIRMED', updatedAt };
    case 'order.rejected.v1':
      return { ...state, status: 'REJECTED', reason: event.data.reason, updatedAt };
    case 'order.cancellation-requested.v1':
      return { ...state, cancellationRequested: true, updatedAt };
    case 'order.cancelled.v1':
      return { ...state, status: 'CANCELLED', reason: 'cancelled-by-customer', updatedAt };
    default:
      return unreachable(event);
  }
}

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'NONE' }),
};

function unreachable(value: never): never {
  throw new Error(`Unhandled ${JSON.stringify(value)}`);
}
