import { useEffect, useState } from 'preact/hooks';
import { getCheckout, getOrder, readStream, type Checkout, type Order, type Session, type StoredEvent } from './api.js';
import { clock, duration, money } from './format.js';
import { Problem, useProblem } from './problem.js';
import { barEnd, timelineOf, type Timeline } from './timeline.js';

/** The streams of one checkout, by category: the order's, its saga's, its reservation's, its payment's. */
const STREAMS = ['order', 'checkout', 'reservation', 'payment'] as const;

interface Loaded {
  readonly order: Order;
  readonly checkout: Checkout | undefined;
  /** Every event of the order's streams, in the order they were recorded. */
  readonly events: readonly StoredEvent[];
}

/** One order: its checkout as a timeline, and every event of its streams, with their ids and payloads. */
export function OrderPage({ session, orderId, onUnauthorized }: { readonly session: Session; readonly orderId: string; readonly onUnauthorized: () => void }) {
  const [loaded, setLoaded] = useState<Loaded>();
  const { problem, failed, clear } = useProblem(onUnauthorized);
  const [correlation, setCorrelation] = useState<string>();

  const load = async () => {
    clear();
    try {
      const [order, checkout, ...streams] = await Promise.all([
        getOrder(session, orderId),
        getCheckout(session, orderId),
        ...STREAMS.map((category) => readStream(session, `${category}-${orderId}`)),
      ]);
      const events = streams.flat().sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt) || a.streamName.localeCompare(b.streamName) || a.revision - b.revision);
      setLoaded({ order, checkout, events });
    } catch (error) {
      failed(error);
    }
  };
  useEffect(() => void load(), [orderId]);

  const shown = correlation ? loaded?.events.filter((event) => event.correlationId === correlation) : loaded?.events;
  const timeline = loaded && timelineOf(loaded.events.filter((event) => event.streamName.startsWith('checkout-')), loaded.events);
  return (
    <section aria-labelledby="order-title">
      <p>
        <a href="#/orders">← Orders</a>
      </p>
      <h2 id="order-title">
        Order <span class="id">{orderId}</span>
      </h2>
      <div class="toolbar">
        <button type="button" onClick={() => void load()}>
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
          {correlation && (
            <p class="filter">
              Every message of correlation <span class="id">{correlation}</span>{' '}
              <button type="button" onClick={() => setCorrelation(undefined)}>
                Show all
              </button>
            </p>
          )}
          <EventsTable events={shown ?? []} onCorrelation={setCorrelation} />
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

function EventsTable({ events, onCorrelation }: { readonly events: readonly StoredEvent[]; readonly onCorrelation: (id: string) => void }) {
  return (
    <table aria-labelledby="events-title" class="events">
      <thead>
        <tr>
          <th scope="col">Recorded</th>
          <th scope="col">Stream</th>
          <th scope="col">Type</th>
          <th scope="col">Correlation</th>
          <th scope="col">Causation</th>
          <th scope="col">Payload</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.messageId} data-type={event.type} data-correlation-id={event.correlationId}>
            <td>
              <time dateTime={event.recordedAt}>{clock(event.recordedAt)}</time>
            </td>
            <td class="id">
              {event.streamName.split('-')[0]} #{event.revision}
            </td>
            <td>{event.type}</td>
            <td class="id">
              <button type="button" class="link" title="Every message of this correlation" onClick={() => onCorrelation(event.correlationId)}>
                {event.correlationId.slice(0, 8)}
              </button>
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
        ))}
      </tbody>
    </table>
  );
}
