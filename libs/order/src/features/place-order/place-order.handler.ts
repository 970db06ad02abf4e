import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { derivedMessageId } from '@agora/messaging';
import { PROJECTIONS, type ReadYourWrites } from '@agora/projections';
import { ProductCatalog } from '../../catalog/product-catalog.js';
import { InvalidOrder } from '../../domain/errors.js';
import { ORDER_CATEGORY, orderDecider, type PricedLine } from '../../domain/order.js';
import { ordersProjection } from '../../read-model/orders.projection.js';

export interface PlaceOrder {
  readonly customerId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly paymentToken: string;
  /** The client's `Idempotency-Key`: the same key and request place one order. */
  readonly idempotencyKey?: string;
}

@Injectable()
export class PlaceOrderHandler {
  constructor(
    private readonly commands: CommandHandler,
    private readonly catalog: ProductCatalog,
    @Inject(PROJECTIONS) private readonly readModels: ReadYourWrites,
  ) {}

  /**
   * Prices the lines from the local catalog and places the order; its checkout starts
   * from the `order.placed.v1` event. Throws `InvalidOrder` for an unknown sku or mixed
   * currencies, `IdempotencyKeyReused` when the key came with another request.
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
    const { position } = await this.commands.handle(
      orderDecider,
      streamName(ORDER_CATEGORY, orderId),
      { type: 'place-order', orderId, customerId, lines, paymentToken, requestHash: requestHashOf(command), at: new Date().toISOString() },
      context,
      { expectNew: true },
    );
    // Answer once GET /api/orders/{id} shows the order.
    await this.readModels.waitFor(ordersProjection.name, position);
    return { orderId };
  }
}

/** What makes two requests "the same" for an idempotency key: the body, not the prices of the day. */
function requestHashOf({ customerId, lines, paymentToken }: PlaceOrder): string {
  const canonical = JSON.stringify([customerId, lines.map(({ sku, quantity }) => [sku, quantity]), paymentToken]);
  return createHash('sha256').update(canonical).digest('hex');
}
