import { useEffect, useRef, useState } from 'preact/hooks';
import { getOrder, listOrders, ORDER_STATUSES, type Order, type OrderStatus, type Session } from './api.js';
import { followOrderChanges, type LiveState } from './live.js';
import { age, money } from './format.js';
import { Problem, useProblem } from './problem.js';

const PAGE_SIZE = 50;

const LIVE_LABELS: Record<LiveState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', refused: 'not live' };

/**
 * Every order, newest first, a page at a time, optionally of one status; or one order found
 * by its id. New orders and changes of those shown come in live (`followOrderChanges`).
 */
export function Orders({ session, onUnauthorized }: { readonly session: Session; readonly onUnauthorized: () => void }) {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [orders, setOrders] = useState<readonly Order[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const { problem, failed, clear } = useProblem(onUnauthorized);
  const [loadedAt, setLoadedAt] = useState<Date>();
  const [live, setLive] = useState<{ state: LiveState; problem?: string }>({ state: 'connecting' });
  // Only the latest request's answer is shown: an earlier one may come back after it.
  const latest = useRef(0);
  // What the live feed's handlers need to know of the table as it is now.
  const view = useRef({ status, found: false, complete: false });
  view.current.status = status;

  const load = async (after?: string) => {
    const asked = ++latest.current;
    clear();
    try {
      const page = await listOrders(session, { ...(status && { status }), ...(after && { after }), first: PAGE_SIZE });
      if (asked !== latest.current) return;
      const wasFound = view.current.found;
      view.current.found = false;
      view.current.complete = page.nextCursor === null;
      // The live feed may have brought newer states, and newer orders, while the page was read.
      setOrders((shown) => (after ? [...shown, ...page.items] : combined(page.items, wasFound ? [] : shown, view.current)));
      setNextCursor(page.nextCursor);
      setLoadedAt(new Date());
    } catch (error) {
      failed(error);
    }
  };
  useEffect(() => void load(), [status]);
  // The feed's handlers outlive renders: they read the list the way the latest render does.
  const reload = useRef(load);
  reload.current = load;
  useEffect(
    () =>
      followOrderChanges(session, {
        onReset: () => {
          if (!view.current.found) void reload.current();
        },
        onOrders: (changed) => setOrders((shown) => (view.current.found ? updated(shown, changed) : combined(shown, changed, view.current))),
        onState: (state, refusal) => {
          if (refusal?.status === 401) return onUnauthorized();
          setLive({ state, ...(refusal && { problem: refusal.message }) });
        },
      }),
    [session],
  );

  const find = async (event: SubmitEvent) => {
    event.preventDefault();
    const orderId = String(new FormData(event.currentTarget as HTMLFormElement).get('orderId')).trim();
    const asked = ++latest.current;
    clear();
    try {
      const order = await getOrder(session, orderId);
      if (asked !== latest.current) return;
      setOrders([order]);
      setNextCursor(null);
      view.current.found = true;
    } catch (error) {
      failed(error);
    }
  };

  return (
    <section aria-labelledby="orders-title">
      <h2 id="orders-title">Orders</h2>
      <div class="toolbar">
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus((event.currentTarget as HTMLSelectElement).value as OrderStatus | '')}>
            <option value="">any</option>
            {ORDER_STATUSES.map((value) => (
              <option value={value}>{value}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
        <form class="find" onSubmit={find}>
          <label>
            Order id <input name="orderId" required pattern="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" title="An order id: a UUID" size={38} />
          </label>
          <button type="submit">Find</button>
        </form>
        {loadedAt && <span class="loaded">loaded {loadedAt.toLocaleTimeString()}</span>}
        <span class={`live ${live.state}`} role="status" title={live.problem}>
          {LIVE_LABELS[live.state]}
        </span>
      </div>
      <Problem problem={problem} />
      <table>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Status</th>
            <th scope="col">Customer</th>
            <th scope="col" class="number">
              Total
            </th>
            <th scope="col">Lines</th>
            <th scope="col">Age</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.orderId} data-order-id={order.orderId}>
              <td class="id">
                <a href={`#/orders/${order.orderId}`}>{order.orderId}</a>
              </td>
              <td>
                <span class={`status ${order.status.toLowerCase()}`}>{order.status}</span>
                {order.reason && <span class="reason"> {order.reason}</span>}
              </td>
              <td class="id">{order.customerId}</td>
              <td class="number">{money(order.totalCents, order.currency)}</td>
              <td>{order.lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ')}</td>
              <td title={order.createdAt}>{age(order.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {orders.length === 0 && !problem && <p class="empty">No orders{status && ` in status ${status}`}.</p>}
      {nextCursor && (
        <button type="button" onClick={() => void load(nextCursor)}>
          More
        </button>
      )}
    </section>
  );
}

/** The orders shown, each in the newer of its two states (the latest `updatedAt`). */
function updated(shown: readonly Order[], changed: readonly Order[]): Order[] {
  const byId = new Map(changed.map((order) => [order.orderId, order]));
  return shown.map((order) => newer(order, byId.get(order.orderId)));
}

/**
 * The table that `base` (what was read, or what is shown) makes with `extra` (changes that
 * came live, or what was shown while a page was read): each order in its newer state; of the
 * orders only in `extra`, those that belong in the range `base` covers (all of them when
 * `base` is the whole list); only those of the status chosen; newest first.
 */
function combined(base: readonly Order[], extra: readonly Order[], view: { readonly status: OrderStatus | ''; readonly complete: boolean }): readonly Order[] {
  const known = new Set(base.map((order) => order.orderId));
  const oldest = base.at(-1);
  const fresh = extra.filter((order) => !known.has(order.orderId) && (view.complete || !oldest || newestFirst(order, oldest) < 0));
  return [...updated(base, extra), ...fresh].filter((order) => !view.status || order.status === view.status).sort(newestFirst);
}

/** `other` when it is as new as `order` or newer (the change, or the state shown while a page was read). */
function newer(order: Order, other: Order | undefined): Order {
  return other && Date.parse(other.updatedAt) >= Date.parse(order.updatedAt) ? other : order;
}

/** The API's order: newest first, then by id. */
function newestFirst(a: Order, b: Order): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0);
}
