import { EventStoreRefused } from './errors.js';
import type { NewEvent } from './event.js';

/**
 * An event's data and metadata as JSON text, or `EventStoreRefused` ('not-serialisable')
 * naming the stream, the event type and what JSON could not hold (a BigInt, a cycle).
 * Both stores check here, before anything is sent.
 */
export function eventJson(streamName: string, event: NewEvent): { readonly data: string; readonly metadata: string } {
  return { data: json(streamName, event, 'data'), metadata: json(streamName, event, 'metadata') };
}

function json(streamName: string, event: NewEvent, part: 'data' | 'metadata'): string {
  try {
    return JSON.stringify(event[part]);
  } catch (error) {
    throw new EventStoreRefused('not-serialisable', streamName, `Event ${event.type} for "${streamName}" cannot be stored: its ${part} is not JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
}
