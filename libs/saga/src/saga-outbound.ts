import type { RecordedEvent } from '@agora/event-sourcing';
import type { MessageBody, OutboundMapping } from '@agora/messaging';
import { isInputHandled } from './saga-stream.js';

/** The commands sagas decided to send, published by a relay from their streams. */
export function sagaOutbound(name: string, categories: readonly string[]): OutboundMapping {
  return {
    name,
    categories,
    map: (event: RecordedEvent): readonly MessageBody[] =>
      isInputHandled(event) ? event.data.send : [],
  };
}
