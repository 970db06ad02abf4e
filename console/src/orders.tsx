import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getOrder, listOrders, ORDER_STATUSES, type Order, type OrderStatus, type Session } from './api.js';

const PAGE_SIZE = 50;

/** Every order, newest first, a page at a time, optionally of one status; or one order found by its id. */
export function Orders({ session, onUnauthorized }: { readonly session: Session; readonly onUnauthorized: () => void }) {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [orders, setOrders] = useState<readonly Order[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<string>();
  const [loadedAt, setLoadedAt] = useState<Date>();
  // Only the latest request's answer is shown: an earlier one may come back after it.
  const latest = useRef(0);

  const failed = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) return onUnauthorized();
    setProblem(error instanceof Error ? error.message : String(error));
  };
  const load = async (after?: string) => {
    const asked = ++latest.current;
    setProblem(undefined);
    try {
      const page = await listOrders(session, { ...(status && { status }), ...(after && { after }), first: PAGE_SIZE });
      if (asked !== latest.current) return;
      setOrders((shown) => (after ? [...shown, ...page.items] : page.items));
      setNextCursor(page.nextCursor);
      setLoadedAt(new Date());
    } catch (error) {
      failed(error);
    }
  };
  useEffect(() => void load(), [status]);

  const find = async (event: SubmitEvent) => {
    event.preventDefault();
    const orderId = String(new FormData(event.currentTarget as HTMLFormElement).get('orderId')).trim();
    const asked = ++latest.current;
    setProblem(undefined);
    try {
      const order = await getOrder(session, orderId);
      if (asked !== latest.current) return;
      setOrders([order]);
      setNextCursor(null);
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
        {loadedAt && <span class="loaded">as of {loadedAt.toLocaleTimeString()}</span>}
      </div>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
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
              <td class="id">{order.orderId}</td>
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

function money(cents: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100);
}

function age(createdAt: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(createdAt)) / 1000));
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}
