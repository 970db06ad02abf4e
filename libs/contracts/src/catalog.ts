import type { z } from 'zod';
import { inventoryCommands, inventoryEvents } from './inventory.js';
import { orderCommands, orderEvents } from './order.js';
import { paymentCommands, paymentEvents } from './payment.js';
import { COMPACTED_TOPICS, TOPICS, type Topic } from './topics.js';
import { userEvents } from './user.js';

/**
 * Types published under another name by an earlier version, same payload: a message still
 * on a topic under an old name is read as its type now. A message type's name says it is
 * public (`inventory.stock-sold.v1`); the events a context stores have names of their own
 * (`inventory.reservation-committed.v1`), so that a name means one schema.
 */
const FORMERLY: Partial<Record<string, readonly string[]>> = {
  'inventory.product-listed.v1': ['inventory.product-added.v1'],
  'inventory.stock-released.v1': ['inventory.reservation-released.v1'],
  'inventory.stock-sold.v1': ['inventory.reservation-committed.v1'],
};

/**
 * Every integration message of the shop: the topic it travels on and the schema of its
 * payload (`compacted` where its topic is). The one source of truth per message type;
 * a context's manifest declares the ones it publishes and consumes (`contractsFor`).
 */
export const CONTRACTS = {
  ...onTopic(TOPICS.inventoryCommands, inventoryCommands),
  ...onTopic(TOPICS.inventoryEvents, inventoryEvents),
  ...onTopic(TOPICS.paymentCommands, paymentCommands),
  ...onTopic(TOPICS.paymentEvents, paymentEvents),
  ...onTopic(TOPICS.orderEvents, orderEvents),
  ...onTopic(TOPICS.orderCommands, orderCommands),
  ...onTopic(TOPICS.userEvents, userEvents),
};

type Contracts = typeof CONTRACTS;
export type MessageType = keyof Contracts;
export type MessageData<T extends MessageType> = z.output<Contracts[T]['schema']>;

/**
 * A typed integration message as its sender writes it: `Message<'inventory.stock-reserved.v1'>`,
 * or a union of several. The transport adds the metadata of its story.
 */
export type Message<T extends MessageType = MessageType> = {
  [K in T]: { readonly type: K; readonly key: string; readonly data: MessageData<K> };
}[T];

/** The contracts of these types, as a manifest declares them. */
export function contractsFor<const T extends MessageType>(...types: readonly T[]): Pick<Contracts, T> {
  return Object.fromEntries(types.map((type) => [type, CONTRACTS[type]])) as Pick<Contracts, T>;
}

function onTopic<const S extends Record<string, z.ZodType>>(topic: Topic, schemas: S) {
  const compacted = COMPACTED_TOPICS.includes(topic);
  return Object.fromEntries(
    Object.entries(schemas).map(([type, schema]) => [type, { topic, schema, compacted, ...(FORMERLY[type] && { formerly: FORMERLY[type] }) }]),
  ) as {
    [K in keyof S]: { readonly topic: Topic; readonly schema: S[K]; readonly compacted: boolean; readonly formerly?: readonly string[] };
  };
}
