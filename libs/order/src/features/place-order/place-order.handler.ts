import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { derivedMessageId } from '@agora/messaging';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { SagaRuntime } from '@agora/saga';
import { ProductCatalog } from '../../catalog/product-catalog.js';
import { CHECKOUT_SAGA, type CheckoutSaga } from '../../checkout/checkout-saga.js';
import { InvalidOrder, PendingLimitReached } from '../../domain/errors.js';
import { ORDER_CATEGORY, orderDecider, type OrderCommand, type PricedLine } from '../../domain/order.js';
import { PENDING_ORDERS_CATEGORY, pendingOrdersDecider, UNPLACED_ORDER_COUNTS_FOR_MS, type PendingLimits } from '../../domain/pending-orders.js';
import { ordersProjection } from '../../read-model/orders.projection.js';

export interface PlaceOrder {
  readonly customerId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly paymentToken: string;
  /** The client's `Idempotency-Key`: the same key and request place one order. */
  readonly idempotencyKey?: string;
}

/** Nest injection token of the configured `PendingLimits`. */
export const PENDING_LIMITS = Symbol('PendingLimits');

@Injectable()
export class PlaceOrderHandler {
  constructor(
    private readonly commands: CommandHandler,
    private readonly catalog: ProductCatalog,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
    @Inject(PENDING_LIMITS) private readonly limits: PendingLimits,
    private readonly sagas: SagaRuntime,
    @Inject(CHECKOUT_SAGA) private readonly checkout: CheckoutSaga,
  ) {}

  /**
   * Prices the lines from the local catalog and places the order, and its checkout takes
   * its first step (asking inventory to reserve the stock) in the same commit. Throws
   * `InvalidOrder` for an unknown sku or mixed currencies, `IdempotencyKeyReused` when the
   * key came with another request, and `PendingLimitReached` when the customer's pending
   * orders leave no room for it; in each case before anything is written.
   */
  async execute(command: PlaceOrder, context: MessageContext): Promise<{ orderId: string }> {
    const { customerId, paymentToken, idempotencyKey } = command;
    // A name-based id: a retried request finds the order its first attempt placed.
    const orderId = idempotencyKey === undefined ? randomUUID() : derivedMessageId(`order:${JSON.stringify([customerId, idempotencyKey])}`, 0);
    const products = await this.catalog.find(command.lines.map((line) => line.sku));
    const unknown = command.lines.flatMap((line, index) => (products.has(line.sku) ? [] : [`lines.${index}.sku ${line.sku} is not a product in the catalog`]));
    if (unknown.length > 0) throw new InvalidOrder(unknown);

    const lines: PricedLine[] = command.lines.map(({ sku, quantity }) => {
      const product = products.get(sku)!;
      return { sku, quantity, unitPriceCents: product.priceCents, currency: product.currency };
    });
    const place: OrderCommand = { type: 'place-order', orderId, customerId, lines, paymentToken, requestHash: requestHashOf(command), at: new Date().toISOString() };
    orderDecider.decide(place, orderDecider.initialState()); // InvalidOrder before anything is read or written
    const units = lines.reduce((sum, line) => sum + line.quantity, 0);
    const [, placed] = await this.placeAndAdmit(customerId, place, units, [], context).catch(async (error: unknown) => {
      if (!(error instanceof PendingLimitReached)) throw error;
      // Orders that have ended since they were counted make room; without any, the refusal stands.
      const settled = await this.endedAmong(error.pending);
      if (settled.length === 0) throw error;
      return this.placeAndAdmit(customerId, place, units, settled, context);
    });
    // Answer once GET /api/orders/{id} shows the order.
    await this.readModels.waitFor(ordersProjection.name, placed.position);
    return { orderId };
  }

  /**
   * Places the order, counts it among the customer's pending ones and takes the
   * checkout's first step, in one commit (where the store cannot, in that order: an order
   * is never placed uncounted, and a checkout whose step was not written starts when the
   * checkout's feed reads the order). Throws `PendingLimitReached` when the count leaves
   * no room. The same request again (its idempotency key) finds its order placed and
   * writes nothing.
   */
  private placeAndAdmit(customerId: string, place: OrderCommand & { type: 'place-order' }, units: number, settled: readonly string[], context: MessageContext) {
    const { orderId } = place;
    const admit = { type: 'admit-order', orderId, units, limits: this.limits, settled, at: place.at } as const;
    const checkout = this.sagas.share(this.checkout, orderId);
    return this.commands.handleTogether(
      [
        { decider: pendingOrdersDecider, streamName: streamName(PENDING_ORDERS_CATEGORY, customerId) },
        { decider: orderDecider, streamName: streamName(ORDER_CATEGORY, orderId), expectNew: true },
        checkout.part,
      ],
      ([pending, order, instance]) => {
        // InvalidOrder, IdempotencyKeyReused.
        const placing = orderDecider.decide(place, order);
        if (placing.length === 0) return [[], [], []];
        const [orderEvents, steps] = checkout.decide(instance, order, placing);
        return [pendingOrdersDecider.decide(admit, pending), orderEvents, steps];
      },
      context,
    );
  }

  private async endedAmong(pending: PendingLimitReached['pending']): Promise<string[]> {
    const unplacedBefore = Date.now() - UNPLACED_ORDER_COUNTS_FOR_MS;
    const ended = await Promise.all(
      pending.map(async ({ orderId, since }) => {
        const stream = streamName(ORDER_CATEGORY, orderId);
        // An order that has ended stays ended: remembered so, it needs no read.
        const remembered = this.commands.recalled(orderDecider, stream)?.state;
        if (remembered && remembered.status !== 'NONE' && remembered.status !== 'PENDING') return true;
        const { state } = await this.commands.load(orderDecider, stream);
        return state.status === 'NONE' ? Date.parse(since) < unplacedBefore : state.status !== 'PENDING';
      }),
    );
    return pending.filter((_, index) => ended[index]).map(({ orderId }) => orderId);
  }
}

/** What makes two requests "the same" for an idempotency key: the body, not the prices of the day. */
function requestHashOf({ customerId, lines, paymentToken }: PlaceOrder): string {
  const canonical = JSON.stringify([customerId, lines.map(({ sku, quantity }) => [sku, quantity]), paymentToken]);
  return createHash('sha256').update(canonical).digest('hex');
}
