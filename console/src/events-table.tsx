import type { StoredEvent } from './api.js';
import { clock } from './format.js';

/** The categories of the streams an order's page shows: its own, its saga's, its reservation's, its payment's. */
export const ORDER_STREAMS = ['order', 'checkout', 'reservation', 'payment'] as const;

const ORDER_STREAM = new RegExp(`^(?:${ORDER_STREAMS.join('|')})-([0-9a-fA-F-]{36})$`);

/** `product MUG-BLUE`, `order 0b6f3c1e…`: a stream's category and its id, a long one shortened. */
function streamLabel(streamName: string): string {
  const dash = streamName.indexOf('-');
  const id = streamName.slice(dash + 1);
  return `${streamName.slice(0, dash)} ${id.length > 12 ? `${id.slice(0, 8)}…` : id}`;
}

/**
 * Events with their stream, type, times, correlation and causation ids, and the payload on
 * demand. A correlation id leads to its page (`#/correlations/<id>`); with `linkOrders`, a
 * stream of an order's checkout leads to the order's page.
 */
export function EventsTable({ events, labelledBy, linkOrders = false }: { readonly events: readonly StoredEvent[]; readonly labelledBy: string; readonly linkOrders?: boolean }) {
  const byApp = events.some((event) => event.app);
  return (
    <table aria-labelledby={labelledBy} class="events">
      <thead>
        <tr>
          <th scope="col">Recorded</th>
          {byApp && <th scope="col">App</th>}
          <th scope="col">Stream</th>
          <th scope="col">Type</th>
          <th scope="col">Correlation</th>
          <th scope="col">Causation</th>
          <th scope="col">Payload</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const orderId = linkOrders ? ORDER_STREAM.exec(event.streamName)?.[1] : undefined;
          const stream = `${streamLabel(event.streamName)} #${event.revision}`;
          return (
            <tr key={event.messageId} data-type={event.type} data-stream={event.streamName} data-correlation-id={event.correlationId}>
              <td>
                <time dateTime={event.recordedAt}>{clock(event.recordedAt)}</time>
              </td>
              {byApp && <td>{event.app}</td>}
              <td class="id" title={event.streamName}>
                {orderId ? <a href={`#/orders/${orderId}`}>{stream}</a> : stream}
              </td>
              <td>{event.type}</td>
              <td class="id">
                <a href={`#/correlations/${encodeURIComponent(event.correlationId)}`} title={`Every message of correlation ${event.correlationId}`}>
                  {event.correlationId.slice(0, 8)}
                </a>
              </td>
              <td class="id" title={event.causationId}>
                {event.causationId.slice(0, 8)}
              </td>
              <td>
                <details>
                  <summary>payload</summary>
                  <pre>{JSON.stringify(event.data, null, 2)}</pre>
                  <p class="id">message {event.messageId}</p>
                </details>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
