/** Integration events of a context on `<context>.events.v1`, commands to it on `<context>.commands.v1`. */
export const TOPICS = {
  inventoryEvents: 'inventory.events.v1',
  inventoryCommands: 'inventory.commands.v1',
  paymentEvents: 'payment.events.v1',
  paymentCommands: 'payment.commands.v1',
  orderEvents: 'order.events.v1',
  orderCommands: 'order.commands.v1',
  userEvents: 'user.events.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/**
 * Topics kept compacted (`cleanup.policy=compact`) rather than cut by age: Kafka keeps at
 * least the latest message of every key for ever. Only for topics each of whose messages
 * carries the whole state of its key, so that the latest one stands for all before it.
 */
export const COMPACTED_TOPICS: readonly Topic[] = [TOPICS.userEvents];
