import { useEffect, useRef, useState } from 'preact/hooks';
import { parkedEvents, projectionStatuses, retryParked, startRebuild, type ParkedEvent, type ProjectionStatus, type Session } from './api.js';
import { clock, duration } from './format.js';
import { Problem, useProblem } from './problem.js';

/** How often the page reads the projections and the parked events. */
const REFRESH_MS = 2000;
/** How far back the lag charts reach. */
const CHART_MS = 5 * 60_000;

interface Sample {
  readonly at: number;
  readonly lagMs: number;
}

/**
 * The projections (position, lag, a lag chart of the last minutes, a rebuild with its
 * progress) and the events subscribers parked, with a retry.
 */
export function Operations({ session, onUnauthorized }: { readonly session: Session; readonly onUnauthorized: () => void }) {
  const [projections, setProjections] = useState<readonly ProjectionStatus[]>([]);
  const [parked, setParked] = useState<readonly ParkedEvent[]>([]);
  const { problem, failed, clear } = useProblem(onUnauthorized);
  const [notice, setNotice] = useState<string>();
  const history = useRef(new Map<string, Sample[]>());

  const load = async () => {
    try {
      const [statuses, events] = await Promise.all([projectionStatuses(session), parkedEvents(session)]);
      const now = Date.now();
      for (const status of statuses) {
        const samples = [...(history.current.get(status.name) ?? []), { at: now, lagMs: status.lagMs }].filter((sample) => sample.at > now - CHART_MS);
        history.current.set(status.name, samples);
      }
      setProjections(statuses);
      setParked(events);
      clear();
    } catch (error) {
      failed(error);
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [session]);

  const retry = async (subscriber: string) => {
    try {
      const { asked } = await retryParked(session, subscriber);
      setNotice(`Asked ${subscriber} to try ${asked} parked event${asked === 1 ? '' : 's'} again.`);
      await load();
    } catch (error) {
      failed(error);
    }
  };
  const rebuild = async (projection: string) => {
    try {
      await startRebuild(session, projection);
      setNotice(`Rebuilding ${projection}: the live tables serve on until it switches.`);
      await load();
    } catch (error) {
      failed(error);
    }
  };
  const subscribers = [...new Set(parked.map((event) => event.subscriber))];
  // The distributed mode's gateway names the app of each.
  const apps = projections.some((projection) => projection.app !== undefined);

  return (
    <section aria-labelledby="operations-title">
      <h2 id="operations-title">Projections and subscribers</h2>
      <Problem problem={problem} />
      <table aria-label="Projections">
        <thead>
          <tr>
            {apps && <th scope="col">App</th>}
            <th scope="col">Projection</th>
            <th scope="col">Checkpoint</th>
            <th scope="col">Head of the log</th>
            <th scope="col" class="number">
              Lag (events)
            </th>
            <th scope="col" class="number">
              Lag (time)
            </th>
            <th scope="col">Last 5 min</th>
            <th scope="col" class="number">
              Parked
            </th>
            <th scope="col">Rebuild</th>
          </tr>
        </thead>
        <tbody>
          {projections.map((projection) => (
            <tr key={projection.name} data-projection={projection.name}>
              {apps && <td>{projection.app}</td>}
              <td>{projection.name}</td>
              <td class="id">{projection.checkpoint ?? '—'}</td>
              <td class="id">{projection.head ?? '—'}</td>
              <td class="number">
                {projection.lagEvents}
                {projection.lagCountLimited && '+'}
              </td>
              <td class="number">{duration(projection.lagMs)}</td>
              <td>
                <LagChart samples={history.current.get(projection.name) ?? []} />
              </td>
              <td class={`number ${projection.parked > 0 ? 'problem' : ''}`}>{projection.parked}</td>
              <td class="rebuild">
                <RebuildCell projection={projection} onRebuild={() => void rebuild(projection.name)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 id="parked-title">Parked events</h3>
      <p role="status" class="notice">
        {notice}
      </p>
      {parked.length === 0 ? (
        <p class="empty">Nothing is parked.</p>
      ) : (
        <>
          <div class="toolbar">
            {subscribers.map((subscriber) => (
              <button type="button" onClick={() => void retry(subscriber)}>
                Retry {subscriber}
              </button>
            ))}
          </div>
          <table aria-labelledby="parked-title">
            <thead>
              <tr>
                {apps && <th scope="col">App</th>}
                <th scope="col">Subscriber</th>
                <th scope="col">Event</th>
                <th scope="col">Stream</th>
                <th scope="col">Error</th>
                <th scope="col" class="number">
                  Attempts
                </th>
                <th scope="col">Parked</th>
                <th scope="col">Retry asked</th>
              </tr>
            </thead>
            <tbody>
              {parked.map((event) => (
                <tr key={`${event.app ?? ''} ${event.subscriber} ${event.event.position}`} data-subscriber={event.subscriber}>
                  {apps && <td>{event.app}</td>}
                  <td>{event.subscriber}</td>
                  <td>
                    <details>
                      <summary>{event.event.type}</summary>
                      <pre>{JSON.stringify(event.event.data, null, 2)}</pre>
                    </details>
                  </td>
                  <td class="id">
                    {event.event.streamName} #{event.event.revision}
                  </td>
                  <td class="error">{event.error}</td>
                  <td class="number">{event.attempts}</td>
                  <td>{clock(event.parkedAt)}</td>
                  <td>{event.retryRequestedAt ? clock(event.retryRequestedAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** A projection's rebuild: the button, the progress of one under way, how the last one ended. */
function RebuildCell({ projection, onRebuild }: { readonly projection: ProjectionStatus; readonly onRebuild: () => void }) {
  const { rebuild } = projection;
  if (rebuild?.state === 'running') {
    return (
      <span class="rebuilding" data-rebuild="running">
        <progress max={1} value={rebuild.fraction} aria-label={`Rebuild of ${projection.name}`} /> {Math.round(rebuild.fraction * 100)} % · {rebuild.events} events ·{' '}
        {rebuild.eventsPerSecond}/s{rebuild.etaSeconds !== null && ` · ${duration(rebuild.etaSeconds * 1000)} left`}
      </span>
    );
  }
  return (
    <>
      <button type="button" onClick={onRebuild} aria-label={`Rebuild ${projection.name}`}>
        Rebuild
      </button>
      {rebuild?.state === 'done' && (
        <span class="reason" data-rebuild="done">
          {' '}
          rebuilt {clock(rebuild.finishedAt!)}: {rebuild.events} events
        </span>
      )}
      {rebuild?.state === 'failed' && (
        <span class="problem" data-rebuild="failed">
          {' '}
          failed: {rebuild.error}
        </span>
      )}
    </>
  );
}

/** The lag over the last minutes as a line: time across, lag up (scaled to the highest seen). */
function LagChart({ samples }: { readonly samples: readonly Sample[] }) {
  if (samples.length < 2) return <span class="reason">collecting…</span>;
  const now = samples.at(-1)!.at;
  const highest = Math.max(1000, ...samples.map((sample) => sample.lagMs));
  const points = samples.map((sample) => `${(100 - ((now - sample.at) / CHART_MS) * 100).toFixed(1)},${(19 - (sample.lagMs / highest) * 17).toFixed(1)}`).join(' ');
  return (
    <svg class="lag-chart" viewBox="0 0 100 20" preserveAspectRatio="none" role="img" aria-label={`Lag over the last 5 minutes, highest ${duration(highest)}`}>
      <polyline points={points} />
    </svg>
  );
}
