import type { EventMetadata } from '@agora/event-sourcing';

/**
 * What crosses a context boundary: a versioned message type, the key that orders it
 * (the order id, or the sku for catalog messages), its payload and the metadata of
 * its story (ids, correlation, causation, time, schema version, user, trace context).
 * On Kafka: key = `key`, value = `data` as JSON, metadata in headers.
 */
export interface IntegrationMessage<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly key: string;
  readonly data: Data;
  readonly metadata: EventMetadata;
}
