import { readCorrelation, type Session } from './api.js';
import { EventsTable } from './events-table.js';
import { Problem, useLoaded } from './problem.js';

/** One story: every event carrying a correlation id, whatever its stream and context, in the order they were recorded. */
export function CorrelationPage({ session, correlationId, onUnauthorized }: { readonly session: Session; readonly correlationId: string; readonly onUnauthorized: () => void }) {
  const { loaded, problem, reload } = useLoaded(() => readCorrelation(session, correlationId), [correlationId], onUnauthorized);

  const streams = new Set(loaded?.events.map((event) => event.streamName));
  return (
    <section aria-labelledby="correlation-title">
      <p>
        <a href="#/orders">← Orders</a>
      </p>
      <h2 id="correlation-title">
        Correlation <span class="id">{correlationId}</span>
      </h2>
      <p class="hint">Every message of one story: the request that began it and all it caused, in every context’s streams.</p>
      <div class="toolbar">
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <Problem problem={problem} />
      {loaded &&
        (loaded.events.length === 0 ? (
          <p class="empty">No event carries this correlation id.</p>
        ) : (
          <>
            <p class="loaded">
              {loaded.events.length} events in {streams.size} streams
              {loaded.truncated && ': the story’s first ones; it has more'}
            </p>
            <EventsTable events={loaded.events} labelledBy="correlation-title" linkOrders />
          </>
        ))}
    </section>
  );
}
