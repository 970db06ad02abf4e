import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { IntegrationMessage } from '../message-contracts.js';

/**
 * How an integration message looks on a topic, readable by any Kafka client: the key is
 * the message key (aggregate or order id), the value its `data` as JSON, and the rest in
 * headers: `type`, `message-id`, `correlation-id`, `causation-id`, `occurred-at`,
 * `schema-version`, and `user-id` / `traceparent` where known.
 */
const HEADERS = {
  messageId: 'message-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  occurredAt: 'occurred-at',
  schemaVersion: 'schema-version',
  userId: 'user-id',
  traceparent: 'traceparent',
} as const;

export function toRecord(message: IntegrationMessage): { key: string; value: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { type: message.type };
  for (const [field, header] of Object.entries(HEADERS)) {
    const value = (message.metadata as unknown as Record<string, unknown>)[field];
    if (value !== undefined) headers[header] = String(value);
  }
  return { key: message.key, value: JSON.stringify(message.data), headers };
}

/** The raw parts of a record, for `ContractRegistry.parse` to check; throws when the value is not JSON. */
export function fromRecord(record: Pick<KafkaMessage, 'key' | 'value' | 'headers'>): { type: string; key: string; data: unknown; metadata: unknown } {
  const header = (name: string) => headerText(record.headers, name);
  const metadata: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(HEADERS)) {
    const value = header(name);
    if (value !== undefined) metadata[field] = field === 'schemaVersion' ? Number(value) : value;
  }
  return { type: header('type') ?? '', key: record.key?.toString() ?? '', data: JSON.parse(record.value?.toString() ?? 'null'), metadata };
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
