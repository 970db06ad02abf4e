import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, KeyedQueue, streamName, type MessageContext } from '@agora/event-sourcing';
import { derivedMessageId } from '@agora/messaging';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { ProductCatalog } from '../../catalog/product-catalog.js';
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
  /** A customer's admissions in this process one after another: concurrent requests of one customer then never conflict here. */
  private readonly admissions = new KeyedQueue();

  constructor(
    private readonly commands: CommandHandler,
    private readonly catalog: ProductCatalog,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
    @Inject(PENDING_LIMITS) private readonly limits: PendingLimits,
  ) {}

  /**
   * Prices the lines from the local catalog and places the order; its checkout starts
   * from the `order.placed.v1` event. Throws `InvalidOrder` for an unknown sku or mixed
   * currencies, `IdempotencyKeyReused` when the key came with another request, and
   * `PendingLimitReached` when the customer's pending orders leave no room for it; in
   * each case before anything is written.
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
    const stream = streamName(ORDER_CATEGORY, orderId);
    // A retried request finds its order (or IdempotencyKeyReused) without being counted again.
    const existing = idempotencyKey === undefined ? undefined : await this.commands.load(orderDecider, stream);
    if (existing === undefined || existing.state.status === 'NONE') {
      orderDecider.decide(place, orderDecider.initialState()); // InvalidOrder before anything is written
      await this.admit(customerId, orderId, lines.reduce((units, line) => units + line.quantity, 0), context);
    }
    const { position } = await this.commands.handle(orderDecider, stream, place, context, { expectNew: true }).catch(async (error: unknown) => {
      // Not placed after all (the store failed): it holds nothing. An order placed under its id by a request with the same key stays counted.
      if ((await this.commands.load(orderDecider, stream)).state.status === 'NONE') await this.settle(customerId, [orderId], context);
      throw error;
    });
    // Answer once GET /api/orders/{id} shows the order.
    await this.readModels.waitFor(ordersProjection.name, position);
    return { orderId };
  }

  /**
   * Counts the order among the customer's pending ones, or throws `PendingLimitReached`.
   * The count settles orders only when they would refuse this one: it then looks at each
   * pending order's own stream and settles those that have ended, and those that were
   * admitted long ago and never placed.
   */
  private admit(customerId: string, orderId: string, units: number, context: MessageContext): Promise<void> {
    const stream = streamName(PENDING_ORDERS_CATEGORY, customerId);
    const admit = (settled: readonly string[]) =>
      this.commands.handle(pendingOrdersDecider, stream, { type: 'admit-order', orderId, units, limits: this.limits, settled, at: new Date().toISOString() }, context);
    return this.admissions.run(customerId, async () => {
      try {
        await admit([]);
      } catch (error) {
        if (!(error instanceof PendingLimitReached)) throw error;
        const settled = await this.endedAmong(error.pending);
        if (settled.length === 0) throw error;
        await admit(settled);
      }
    });
  }

  private async endedAmong(pending: PendingLimitReached['pending']): Promise<string[]> {
    const unplacedBefore = Date.now() - UNPLACED_ORDER_COUNTS_FOR_MS;
    const ended = await Promise.all(
      pending.map(async ({ orderId, since }) => {
        const { state } = await this.commands.load(orderDecider, streamName(ORDER_CATEGORY, orderId));
        return state.status === 'NONE' ? Date.parse(since) < unplacedBefore : state.status !== 'PENDING';
      }),
    );
    return pending.filter((_, index) => ended[index]).map(({ orderId }) => orderId);
  }

  private async settle(customerId: string, orderIds: readonly string[], context: MessageContext): Promise<void> {
    await this.commands.handle(pendingOrdersDecider, streamName(PENDING_ORDERS_CATEGORY, customerId), { type: 'settle-orders', orderIds, at: new Date().toISOString() }, context);
  }
}

/** What makes two requests "the same" for an idempotency key: the body, not the prices of the day. */
function requestHashOf({ customerId, lines, paymentToken }: PlaceOrder): string {
  const canonical = JSON.stringify([customerId, lines.map(({ sku, quantity }) => [sku, quantity]), paymentToken]);
  return createHash('sha256').update(canonical).digest('hex');
}
