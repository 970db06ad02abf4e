import { z } from 'zod';
import type { IntegrationMessage } from './integration-message.js';
import { inventoryCommands, inventoryEvents } from './inventory.js';
import { orderCommands, orderEvents } from './order.js';
import { paymentCommands, paymentEvents } from './payment.js';
import { TOPICS, type Topic } from './topics.js';
import { userEvents } from './user.js';

/** Every integration message: its topic and the schema of its payload. */
const CATALOG = {
  ...withTopic(TOPICS.inventoryCommands, inventoryCommands),
  ...withTopic(TOPICS.inventoryEvents, inventoryEvents),
  ...withTopic(TOPICS.paymentCommands, paymentCommands),
  ...withTopic(TOPICS.paymentEvents, paymentEvents),
  ...withTopic(TOPICS.orderEvents, orderEvents),
  ...withTopic(TOPICS.orderCommands, orderCommands),
  ...withTopic(TOPICS.userEvents, userEvents),
};

type Catalog = typeof CATALOG;
export type MessageType = keyof Catalog;
export type MessageData<T extends MessageType> = z.output<Catalog[T]['schema']>;
/** A typed integration message: `Message<'inventory.stock-reserved.v1'>`. */
export type Message<T extends MessageType = MessageType> = { [K in T]: IntegrationMessage<K, MessageData<K>> }[T];

function withTopic<const S extends Record<string, z.ZodType>>(topic: Topic, schemas: S) {
  return Object.fromEntries(Object.entries(schemas).map(([type, schema]) => [type, { topic, schema }])) as {
    [K in keyof S]: { topic: Topic; schema: S[K] };
  };
}

export function topicOf(type: MessageType): Topic {
  return CATALOG[type].topic;
}

export function isMessageType(type: string): type is MessageType {
  return Object.hasOwn(CATALOG, type);
}

const metadataSchema = z.object({
  messageId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.number().int().positive(),
  userId: z.string().min(1).optional(),
  traceparent: z.string().min(1).optional(),
});

export type ParsedMessage = { readonly ok: true; readonly message: Message } | { readonly ok: false; readonly error: string };

/**
 * Validates a message on receipt: a known type, metadata, and a payload that matches the
 * type's schema. A message that fails is not processed (it goes to the dead letters).
 */
export function parseMessage(raw: { type: string; key: string; data: unknown; metadata: unknown }): ParsedMessage {
  if (!isMessageType(raw.type)) return { ok: false, error: `unknown message type "${raw.type}"` };
  const metadata = metadataSchema.safeParse(raw.metadata);
  if (!metadata.success) return { ok: false, error: `metadata: ${z.prettifyError(metadata.error)}` };
  const data = CATALOG[raw.type].schema.safeParse(raw.data);
  if (!data.success) return { ok: false, error: `${raw.type}: ${z.prettifyError(data.error)}` };
  return { ok: true, message: { type: raw.type, key: raw.key, data: data.data, metadata: metadata.data } as Message };
}
