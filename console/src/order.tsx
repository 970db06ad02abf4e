import { getCheckout, getOrder, readStream, type Checkout, type Order, type Session, type StoredEvent } from './api.js';
import { EventsTable, ORDER_STREAMS } from './events-table.js';
import { clock, duration, money } from './format.js';
import { Problem, useLoaded } from './problem.js';
import { barEnd, timelineOf, type Timeline } from './timeline.js';

interface Loaded {
  readonly order: Order;
  readonly checkout: Checkout | undefined;
  /** Every event of the order's streams, in the order they were recorded. */
  readonly events: readonly StoredEvent[];
}

/** One order: its checkout as a timeline, and every event of its streams, with their ids and payloads. */
export function OrderPage({ session, orderId, onUnauthorized }: { readonly session: Session; readonly orderId: string; readonly onUnauthorized: () => void }) {
  const read = async (): Promise<Loaded> => {
    const [order, checkout, ...streams] = await Promise.all([
      getOrder(session, orderId),
      getCheckout(session, orderId),
      ...ORDER_STREAMS.map((category) => readStream(session, `${category}-${orderId}`)),
    ]);
    const events = streams.flat().sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt) || a.streamName.localeCompare(b.streamName) || a.revision - b.revision);
    return { order, checkout, events };
  };
  const { loaded, problem, reload } = useLoaded(read, [orderId], onUnauthorized);

  const timeline = loaded && timelineOf(loaded.events.filter((event) => event.streamName.startsWith('checkout-')), loaded.events, loaded.checkout?.compensations ?? []);
  return (
    <section aria-labelledby="order-title">
      <p>
        <a href="#/orders">← Orders</a>
      </p>
      <h2 id="order-title">
        Order <span class="id">{orderId}</span>
      </h2>
      <div class="toolbar">
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <Problem problem={problem} />
      {loaded && (
        <>
          <dl class="summary">
            <dt>Status</dt>
            <dd>
              <span class={`status ${loaded.order.status.toLowerCase()}`}>{loaded.order.status}</span>
              {loaded.order.reason && <span class="reason"> {loaded.order.reason}</span>}
            </dd>
            <dt>Customer</dt>
            <dd class="id">{loaded.order.customerId}</dd>
            <dt>Total</dt>
            <dd>{money(loaded.order.totalCents, loaded.order.currency)}</dd>
            <dt>Lines</dt>
            <dd>{loaded.order.lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ')}</dd>
            <dt>Checkout</dt>
            <dd>
              {loaded.checkout ? (
                <>
                  {loaded.checkout.status}, at <strong>{loaded.checkout.currentStep}</strong>
                  {loaded.checkout.reason && ` (${loaded.checkout.reason})`}
                  {loaded.checkout.deadline && `, waiting for ${loaded.checkout.deadline.name} until ${clock(loaded.checkout.deadline.dueAt)}`}
                </>
              ) : (
                'not started yet'
              )}
            </dd>
          </dl>
          <h3>Checkout timeline</h3>
          {timeline ? <TimelineChart timeline={timeline} /> : <p class="empty">The checkout has not taken a step yet.</p>}
          <h3 id="events-title">Events</h3>
          <EventsTable events={loaded.events} labelledBy="events-title" />
        </>
      )}
    </section>
  );
}

function TimelineChart({ timeline }: { readonly timeline: Timeline }) {
  const now = Date.now();
  const span = timeline.end - timeline.start;
  const left = (at: number) => `${(((at - timeline.start) / span) * 100).toFixed(2)}%`;
  const width = (from: number, to: number) => `${Math.max(0.4, ((to - from) / span) * 100).toFixed(2)}%`;
  return (
    <div class="timeline">
      <ol class="steps" aria-label="Saga steps">
        {timeline.steps.map((step) => (
          <li data-step={step.step}>
            <span class="step-name">{step.step}</span> <time dateTime={new Date(step.at).toISOString()}>{clock(new Date(step.at).toISOString())}</time>{' '}
            <span class="reason">+{duration(step.at - timeline.start)} after {step.input}</span>
          </li>
        ))}
      </ol>
      <ul class="bars" aria-label="Requests, answers and deadlines">
        {timeline.bars.map((bar) => {
          const end = barEnd(bar, now);
          return (
            <li class={`bar-row ${bar.kind}`} data-kind={bar.kind} data-type={bar.type}>
              <span class="bar-label">
                {bar.label}
                {bar.kind === 'compensation' && <span class="tag">compensation</span>}
              </span>
              <span class="track" aria-hidden="true">
                <span class={`bar ${bar.end === undefined ? 'open' : ''}`} style={{ left: left(bar.start), width: width(bar.start, end) }} />
              </span>
              <span class="bar-times">
                {clock(new Date(bar.start).toISOString())} → {bar.end === undefined ? '…' : `${clock(new Date(bar.end).toISOString())} (${duration(bar.end - bar.start)})`} ·{' '}
                {bar.outcome}
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
