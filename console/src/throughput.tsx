import { useEffect, useState } from 'preact/hooks';
import { readMetrics, type Metric, type Session } from './api.js';
import { duration } from './format.js';
import { Problem, useProblem } from './problem.js';

/** How often the page reads the counters. */
const REFRESH_MS = 2000;
/** How far back the page looks. */
const WINDOW_MS = 5 * 60_000;
const SAGA = 'checkout';
const STARTED = 'agora_saga_started_total';
const OUTCOMES = 'agora_saga_outcomes_total';

/** The checkout's counters at one moment: orders whose checkout started, and ended, by `outcome` and by `outcome reason`. */
interface Sample {
  readonly at: number;
  readonly counts: Readonly<Record<string, number>>;
}

/** What the page has read while open, kept while the tab is: coming back to the page goes on from it. */
let history: Sample[] = [];

/** The series drawn: orders placed (checkouts started) and each outcome, per second. */
const SERIES = [
  { key: 'placed', label: 'placed', color: '#2f6fed' },
  { key: 'confirmed', label: 'confirmed', color: '#1a7f37' },
  { key: 'rejected', label: 'rejected', color: '#b42318' },
  { key: 'cancelled', label: 'cancelled', color: '#9a6700' },
  { key: 'stuck', label: 'stuck', color: '#6e40c9' },
] as const;

/**
 * Orders per second and how their checkouts ended, over the last minutes, from the
 * checkout saga's counters (`agora_saga_started_total`, `agora_saga_outcomes_total`),
 * which count from the start of the host.
 */
export function Throughput({ session, onUnauthorized }: { readonly session: Session; readonly onUnauthorized: () => void }) {
  const [samples, setSamples] = useState<readonly Sample[]>(history);
  const { problem, failed, clear } = useProblem(onUnauthorized);

  useEffect(() => {
    const read = async () => {
      try {
        const sample = sampleOf(await readMetrics(session, [STARTED, OUTCOMES]), Date.now());
        const last = history.at(-1);
        // A counter that went down: the host started again, and so do the figures.
        const restarted = last && Object.entries(last.counts).some(([key, count]) => (sample.counts[key] ?? 0) < count);
        history = [...(restarted ? [] : history), sample].filter((kept) => kept.at > sample.at - WINDOW_MS);
        setSamples(history);
        clear();
      } catch (error) {
        failed(error);
      }
    };
    void read();
    const timer = setInterval(() => void read(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [session]);

  const first = samples[0];
  const last = samples.at(-1);
  const keys = last ? Object.keys(last.counts).sort(byOutcome) : [];
  return (
    <section aria-labelledby="throughput-title">
      <h2 id="throughput-title">Throughput</h2>
      <Problem problem={problem} />
      {!first || !last || samples.length < 2 ? (
        <p class="empty">Reading the counters…</p>
      ) : (
        <>
          <p class="rates" aria-label="Rates over the last 10 seconds">
            {SERIES.slice(0, 3).map(({ key, label }) => (
              <span class="rate" data-series={key}>
                <strong>{rate(samples, key, 10_000).toFixed(1)}</strong> {label}/s
              </span>
            ))}
          </p>
          <RateChart samples={samples} />
          <table aria-label="Checkouts by outcome">
            <thead>
              <tr>
                <th scope="col">Checkouts</th>
                <th scope="col" class="number">
                  {last.at - first.at >= WINDOW_MS - REFRESH_MS ? 'Last 5 min' : `Last ${duration(last.at - first.at)} (page open)`}
                </th>
                <th scope="col" class="number">
                  Since the host started
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr data-outcome={key}>
                  <td class={key.includes(' ') ? 'reason-row' : ''}>{key}</td>
                  <td class="number">{(last.counts[key] ?? 0) - (first.counts[key] ?? 0)}</td>
                  <td class="number">{last.counts[key]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function sampleOf(metrics: readonly Metric[], at: number): Sample {
  const counts: Record<string, number> = { placed: 0 };
  for (const metric of metrics) {
    for (const { labels, value } of metric.values) {
      if (labels['saga'] !== SAGA) continue;
      if (metric.name === STARTED) counts['placed']! += value;
      if (metric.name !== OUTCOMES) continue;
      const outcome = String(labels['outcome']);
      counts[outcome] = (counts[outcome] ?? 0) + value;
      if (labels['reason']) counts[`${outcome} ${labels['reason']}`] = (counts[`${outcome} ${labels['reason']}`] ?? 0) + value;
    }
  }
  return { at, counts };
}

/** Per second, over the samples of the last `spanMs`. */
function rate(samples: readonly Sample[], key: string, spanMs: number): number {
  const last = samples.at(-1)!;
  const from = samples.find((sample) => sample.at >= last.at - spanMs - REFRESH_MS / 2) ?? samples[0]!;
  const seconds = (last.at - from.at) / 1000;
  return seconds > 0 ? ((last.counts[key] ?? 0) - (from.counts[key] ?? 0)) / seconds : 0;
}

/** Placed first, then each outcome followed by its reasons. */
function byOutcome(a: string, b: string): number {
  const rank = (key: string) => (key === 'placed' ? 0 : 1);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Each series per second between consecutive samples, across the window. */
function RateChart({ samples }: { readonly samples: readonly Sample[] }) {
  const end = samples.at(-1)!.at;
  const rates = samples.slice(1).map((sample, index) => {
    const before = samples[index]!;
    const seconds = (sample.at - before.at) / 1000;
    return { at: sample.at, values: Object.fromEntries(SERIES.map(({ key }) => [key, ((sample.counts[key] ?? 0) - (before.counts[key] ?? 0)) / seconds])) };
  });
  const highest = Math.max(1, ...rates.flatMap((point) => Object.values(point.values)));
  const x = (at: number) => (100 - ((end - at) / WINDOW_MS) * 100).toFixed(2);
  const y = (value: number) => (38 - (value / highest) * 36).toFixed(2);
  return (
    <figure class="rate-chart">
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={`Orders and outcomes per second over the last 5 minutes; highest ${highest.toFixed(1)}/s`}>
        {SERIES.map(({ key, color }) => (
          <polyline points={rates.map((point) => `${x(point.at)},${y(point.values[key]!)}`).join(' ')} style={{ stroke: color }} />
        ))}
      </svg>
      <figcaption>
        per second, last 5 minutes (top: {highest.toFixed(1)}/s):{' '}
        {SERIES.map(({ label, color }) => (
          <span class="legend">
            <span class="swatch" style={{ background: color }} /> {label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
