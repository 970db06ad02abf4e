import { useEffect, useState } from 'preact/hooks';
import { deadLetters, replayDeadLetter, type DeadLetter, type Session } from './api.js';
import { clock } from './format.js';
import { Problem, useProblem } from './problem.js';

/** The messages consumers could not take, with a replay of each: the consumer gets it once more. */
export function DeadLetters({ session, onUnauthorized }: { readonly session: Session; readonly onUnauthorized: () => void }) {
  const [letters, setLetters] = useState<readonly DeadLetter[]>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const { problem, failed, clear } = useProblem(onUnauthorized);

  const load = async () => {
    try {
      setLetters(await deadLetters(session));
    } catch (error) {
      failed(error);
    }
  };
  useEffect(() => void load(), [session]);

  const replay = async (letter: DeadLetter) => {
    setBusy(letter.id);
    setNotice(undefined);
    clear();
    try {
      await replayDeadLetter(session, letter.id);
      setNotice(`Dead letter ${letter.id} replayed: ${letter.consumer} took the ${letter.message.type}.`);
    } catch (error) {
      failed(error);
    }
    setBusy(undefined);
    await load();
  };

  return (
    <section aria-labelledby="dead-letters-title">
      <h2 id="dead-letters-title">Dead letters</h2>
      <p class="hint">
        Messages a consumer could not take: in one process, those that did not match their contract; in the distributed mode, the records of
        Kafka's <code>.dlq</code> topics (malformed, or failing every try). Replay hands one to its consumer once more, after the fix; taken, it
        leaves the list.
      </p>
      <div class="toolbar">
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <Problem problem={problem} />
      <p role="status" class="notice">
        {notice}
      </p>
      {letters && letters.length === 0 && <p class="empty">No dead letters.</p>}
      {letters && letters.length > 0 && (
        <table aria-labelledby="dead-letters-title">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Consumer</th>
              <th scope="col">Message</th>
              <th scope="col">Key</th>
              <th scope="col">Error</th>
              <th scope="col" class="number">
                Attempts
              </th>
              <th scope="col">Failed</th>
              <th scope="col">
                <span class="visually-hidden">Replay</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {letters.map((letter) => (
              <tr key={letter.id} data-dead-letter={letter.id}>
                <td>{letter.id}</td>
                <td>{letter.consumer}</td>
                <td>
                  <details>
                    <summary>{letter.message.type}</summary>
                    <pre>{JSON.stringify({ data: letter.message.data, metadata: letter.message.metadata }, null, 2)}</pre>
                  </details>
                </td>
                <td class="id">
                  {letter.message.key}
                  {letter.source && <div class="reason">from {letter.source}</div>}
                </td>
                <td class="error">{letter.error}</td>
                <td class="number">{letter.attempts}</td>
                <td>{clock(letter.failedAt)}</td>
                <td>
                  <button type="button" disabled={busy !== undefined} onClick={() => void replay(letter)} aria-label={`Replay dead letter ${letter.id}`}>
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
