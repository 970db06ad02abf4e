import { Injectable } from '@nestjs/common';
import { CommandHandler, streamName, type MessageContext } from '@agora/event-sourcing';
import { ProductNotFound } from '../domain/errors.js';
import { PRODUCT_CATEGORY, productDecider, type ProductCommand } from '../domain/product.js';
import type { HeldLine, RejectionReason, StockLine } from '../domain/reservation.js';
import { refusalOf } from '../domain/reserve-at-once.js';
import { settlementOf } from '../domain/settled-orders.js';

/** What holding one line of an order on its product came to. */
export type LineOutcome =
  /** `hold`: the product's number for the order's hold. */
  | { readonly held: true; readonly hold: number }
  | { readonly held: false; readonly refused: RejectionReason }
  /** The order's hold on this product was already released or sold: its reservation is settled elsewhere. */
  | { readonly held: false; readonly settled: 'released' | 'sold' };

/**
 * The product streams as an order's reservation uses them: one product command per line,
 * each idempotent per order, so any of these calls can be repeated after a crash.
 */
@Injectable()
export class ProductStock {
  constructor(private readonly commands: CommandHandler) {}

  async hold(orderId: string, line: StockLine, context: MessageContext): Promise<LineOutcome> {
    try {
      const { state } = await this.handle({ type: 'reserve-stock', sku: line.sku, orderId, quantity: line.quantity }, context);
      if (state.status !== 'listed') throw new ProductNotFound(line.sku);
      const hold = state.holds.get(orderId);
      if (hold) return { held: true, hold: hold.number };
      const settled = settlementOf(state.settled, orderId);
      if (settled) return { held: false, settled };
      throw new Error(`Product ${line.sku} neither holds nor refused order ${orderId}.`);
    } catch (error) {
      const refused = refusalOf(error);
      if (refused) return { held: false, refused };
      throw error;
    }
  }

  /** Gives back whatever the order holds of these lines; lines it holds nothing of, or unknown skus, are skipped. */
  async releaseAll(orderId: string, lines: readonly StockLine[], context: MessageContext): Promise<void> {
    for (const { sku } of lines) {
      try {
        await this.handle({ type: 'release-stock', sku, orderId }, context);
      } catch (error) {
        if (!(error instanceof ProductNotFound)) throw error;
      }
    }
  }

  /**
   * Sells each line's accepted hold; a surplus hold the order has on a product instead
   * (made by a late reserve, after the sale) goes back on the shelf.
   */
  async sellAll(orderId: string, lines: readonly HeldLine[], context: MessageContext): Promise<void> {
    for (const { sku, hold } of lines) await this.handle(hold === undefined ? { type: 'sell-stock', sku, orderId } : { type: 'sell-stock', sku, orderId, hold }, context);
  }

  private handle(command: ProductCommand, context: MessageContext) {
    return this.commands.handle(productDecider, streamName(PRODUCT_CATEGORY, command.sku), command, context);
  }
}
