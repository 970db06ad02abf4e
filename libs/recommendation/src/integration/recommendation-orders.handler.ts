import { Injectable } from '@nestjs/common';
import type { Message, MessageType } from '@agora/contracts';
import { GroupCommit, type Pending } from '@agora/event-sourcing';
import type { IntegrationMessage, MessageHandler } from '@agora/messaging';
import { DataSource } from 'typeorm';
import { changeOf, type PurchaseStatisticsChange } from '../domain/purchase-statistics.js';

interface Confirmed {
  readonly messageId: string;
  readonly change: PurchaseStatisticsChange;
}

/**
 * Feeds the purchase statistics from order's confirmed orders. A message and its inbox
 * row are one statement, so they commit together: a redelivery finds its id in
 * `handled_messages` and changes nothing, a failure leaves no trace and the retry applies
 * it whole. The rows are changed by increments computed in SQL (`x = x + EXCLUDED.x`),
 * never read and written back, so orders applied concurrently lose none; rows are
 * written in key order in every statement, so two of them never deadlock.
 *
 * Messages that arrive while a statement is under way go together in the next one (group
 * commit): under load, one commit for many orders. A message id is never twice in one
 * statement; a statement that fails applies each of its messages alone, so a message
 * fails only its own delivery.
 */
@Injectable()
export class RecommendationOrdersHandler implements MessageHandler<Message> {
  readonly name = 'recommendation.orders';
  readonly types: readonly MessageType[] = ['order.order-confirmed.v1'];
  private readonly writes = new GroupCommit<Confirmed, void>((batch) => this.writeGroup(batch), {
    maxInFlight: 1,
    maxBatch: 200,
    keysOf: (confirmed) => [confirmed.messageId],
  });

  constructor(private readonly readModels: DataSource) {}

  async handle(message: IntegrationMessage<Message>): Promise<void> {
    if (message.type !== 'order.order-confirmed.v1') throw new Error(`${this.name} does not handle ${message.type}.`);
    await this.writes.submit({ messageId: message.metadata.messageId, change: changeOf(message.data) });
  }

  private async writeGroup(batch: readonly Pending<Confirmed, void>[]): Promise<void> {
    try {
      await this.apply(batch.map((pending) => pending.item));
      for (const pending of batch) pending.resolve();
    } catch (error) {
      if (batch.length === 1) throw error;
      await Promise.all(batch.map((pending) => this.apply([pending.item]).then(() => pending.resolve(), (alone: unknown) => pending.reject(alone))));
    }
  }

  /** One statement for all of them; a message already handled adds nothing. */
  private async apply(confirmed: readonly Confirmed[]): Promise<void> {
    const purchases = confirmed.flatMap(({ messageId, change }) => change.purchases.map((p) => ({ messageId, customerId: change.customerId, ...p })));
    const pairs = confirmed.flatMap(({ messageId, change }) => change.coPurchases.map((c) => ({ messageId, ...c })));
    // Tables are named with their schema: an inbox of another context must never answer for this one.
    await this.readModels.query(
      `WITH recorded AS (
         INSERT INTO recommendation_read.handled_messages (message_id, handled_at) SELECT id, now() FROM unnest($1::uuid[]) AS message (id)
         ON CONFLICT (message_id) DO NOTHING RETURNING message_id
       ), bought AS (
         INSERT INTO recommendation_read.customer_purchases AS bought (customer_id, sku, quantity, orders)
         SELECT customer_id, sku, sum(quantity), sum(orders) FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS line (message_id, customer_id, sku, quantity, orders)
         WHERE line.message_id IN (SELECT message_id FROM recorded)
         GROUP BY customer_id, sku
         ORDER BY customer_id COLLATE "C", sku COLLATE "C"
         ON CONFLICT (customer_id, sku) DO UPDATE SET quantity = bought.quantity + EXCLUDED.quantity, orders = bought.orders + EXCLUDED.orders
       )
       INSERT INTO recommendation_read.co_purchases AS pair (sku, other_sku, count)
       SELECT sku, other_sku, sum(count) FROM unnest($7::uuid[], $8::text[], $9::text[], $10::bigint[]) AS together (message_id, sku, other_sku, count)
       WHERE together.message_id IN (SELECT message_id FROM recorded)
       GROUP BY sku, other_sku
       ORDER BY sku COLLATE "C", other_sku COLLATE "C"
       ON CONFLICT (sku, other_sku) DO UPDATE SET count = pair.count + EXCLUDED.count`,
      [
        confirmed.map((c) => c.messageId),
        purchases.map((p) => p.messageId),
        purchases.map((p) => p.customerId),
        purchases.map((p) => p.sku),
        purchases.map((p) => p.quantity),
        purchases.map((p) => p.orders),
        pairs.map((c) => c.messageId),
        pairs.map((c) => c.sku),
        pairs.map((c) => c.otherSku),
        pairs.map((c) => c.count),
      ],
    );
  }
}
