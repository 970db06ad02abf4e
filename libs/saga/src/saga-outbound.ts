import type { RecordedEvent } from '@agora/event-sourcing';
import type { OutboundMapping, OutgoingMessage } from '@agora/messaging';
import { isInputHandled } from './saga-stream.js';

/** The commands sagas decided to send, published by a relay from their streams. */
export function sagaOutbound(name: string, categories: readonly string[]): OutboundMapping {
  return {
    name,
    categories,
    map: (event: RecordedEvent): readonly OutgoingMessage[] =>
      isInputHandled(event) ? event.data.send : [],
  };
}
