import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = resolve('scripts/kafka.sh');
const holder = globalThis as { agoraTestKafka?: boolean };

/**
 * A real broker for the run: `KAFKA_BROKERS` when set, otherwise the local one that
 * `scripts/kafka.sh` fetches and starts (and stops again at the end, if it started it).
 * When no broker can be had the run fails, saying why and what to do; it never skips.
 */
export async function startTestKafka(): Promise<void> {
  if (process.env['KAFKA_BROKERS']) return;
  const wasRunning = await run(SCRIPT, ['status']).then(
    () => true,
    () => false,
  );
  try {
    await run(SCRIPT, ['start'], { timeout: 600_000 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`The tests need a Kafka broker and none could be started.\n${stderr ?? String(error)}`);
  }
  process.env['KAFKA_BROKERS'] = `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`;
  holder.agoraTestKafka = !wasRunning;
}

export async function stopTestKafka(): Promise<void> {
  if (holder.agoraTestKafka) await run(SCRIPT, ['stop']);
}
