import { EventSource } from 'eventsource';
import type { Order, Session } from './api.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface OrderChangesHandlers {
  /** The list should be read again: the feed starts, or it was away too long to replay what it missed. */
  readonly onReset: () => void;
  readonly onOrders: (orders: readonly Order[]) => void;
  readonly onState: (state: LiveState, refusal?: { readonly status: number | undefined; readonly message: string }) => void;
}

/**
 * Follows `GET /api/orders/changes`, the server-sent events of every order's changes. An
 * EventSource that sends the admin's bearer token (the browser's own cannot set a header,
 * and the token never goes in a URL); after a drop it reconnects by itself with the last
 * event's id, and the feed sends what was missed. Returns what stops it.
 */
export function followOrderChanges(session: Session, handlers: OrderChangesHandlers): () => void {
  const source = new EventSource('/api/orders/changes', {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, authorization: `Bearer ${session.token}` } }),
  });
  handlers.onState('connecting');
  source.addEventListener('open', () => handlers.onState('live'));
  source.addEventListener('reset', () => handlers.onReset());
  source.addEventListener('orders', (event) => handlers.onOrders((JSON.parse(event.data) as { orders: Order[] }).orders));
  source.addEventListener('error', (event) => {
    // A refusal (401, 403) ends the source; a dropped connection is tried again.
    if (source.readyState === EventSource.CLOSED) handlers.onState('refused', { status: event.code, message: event.message ?? `The live feed answered ${event.code ?? 'with an error'}.` });
    else handlers.onState('reconnecting');
  });
  return () => source.close();
}
