import { Injectable } from '@nestjs/common';
import type { Message, MessageType } from '@agora/contracts';
import type { MessageHandler } from '@agora/messaging';
import { DataSource } from 'typeorm';
import { changeOf } from '../domain/purchase-statistics.js';

/**
 * Feeds the purchase statistics from order's confirmed orders. A message and its inbox
 * row are one statement, so they commit together: a redelivery finds its id in
 * `handled_messages` and changes nothing, a failure leaves no trace and the retry applies
 * it whole. The rows are changed by increments computed in SQL (`x = x + EXCLUDED.x`),
 * never read and written back, so orders applied concurrently lose none; rows are
 * written in key order in every statement, so two of them never deadlock.
 */
@Injectable()
export class RecommendationOrdersHandler implements MessageHandler {
  readonly name = 'recommendation.orders';
  readonly types: readonly MessageType[] = ['order.order-confirmed.v1'];

  constructor(private readonly readModels: DataSource) {}

  async handle(message: Message): Promise<void> {
    if (message.type !== 'order.order-confirmed.v1') throw new Error(`${this.name} does not handle ${message.type}.`);
    const { customerId, purchases, coPurchases } = changeOf(message.data);
    // Tables are named with their schema: an inbox of another context must never answer for this one.
    await this.readModels.query(
      `WITH recorded AS (
         INSERT INTO recommendation_read.handled_messages (message_id, handled_at) VALUES ($1, now())
         ON CONFLICT (message_id) DO NOTHING RETURNING message_id
       ), bought AS (
         INSERT INTO recommendation_read.customer_purchases AS bought (customer_id, sku, quantity, orders)
         SELECT $2, sku, quantity, orders FROM unnest($3::text[], $4::bigint[], $5::bigint[]) AS line (sku, quantity, orders)
         WHERE EXISTS (SELECT 1 FROM recorded)
         ORDER BY sku COLLATE "C"
         ON CONFLICT (customer_id, sku) DO UPDATE SET quantity = bought.quantity + EXCLUDED.quantity, orders = bought.orders + EXCLUDED.orders
       )
       INSERT INTO recommendation_read.co_purchases AS pair (sku, other_sku, count)
       SELECT sku, other_sku, count FROM unnest($6::text[], $7::text[], $8::bigint[]) AS together (sku, other_sku, count)
       WHERE EXISTS (SELECT 1 FROM recorded)
       ORDER BY sku COLLATE "C", other_sku COLLATE "C"
       ON CONFLICT (sku, other_sku) DO UPDATE SET count = pair.count + EXCLUDED.count`,
      [
        message.metadata.messageId,
        customerId,
        purchases.map((p) => p.sku),
        purchases.map((p) => p.quantity),
        purchases.map((p) => p.orders),
        coPurchases.map((c) => c.sku),
        coPurchases.map((c) => c.otherSku),
        coPurchases.map((c) => c.count),
      ],
    );
  }
}
