import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { embeddedServerFolder, freePort, isListening, stopServerHolding, TerminalCommand } from '@agora/testing';

/**
 * Ctrl-C at a terminal reaches every process of the foreground group: npm, the nest CLI,
 * the host and whatever else runs in that group. The host stops in order (HTTP, consumers,
 * background work, its pools, then its embedded PostgreSQL) and nothing complains.
 */
describe('Ctrl-C at a terminal', () => {
  let dir: string;
  let dataDir: string;
  let postgresPort: number;
  let command: TerminalCommand | undefined;

  beforeEach(async () => {
    ({ dir, dataDir } = await embeddedServerFolder('agora-ctrl-c-e2e-'));
    postgresPort = await freePort();
  });

  afterEach(async () => {
    command?.killGroup();
    command = undefined;
    await stopServerHolding(dataDir);
    await rm(dir, { recursive: true, force: true });
  });

  const embedded = () => ({ DATABASE_URL: undefined, EMBEDDED_POSTGRES_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(postgresPort), LOG_FORMAT: undefined });

  async function expectCleanStop(running: TerminalCommand): Promise<void> {
    expect(await running.interrupt()).toEqual({ code: 0, signal: null });
    expect(running.problemsWhileStopping()).toEqual([]);
    expect(await isListening(postgresPort)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  }

  it('stops `npm start` in order, with exit code 0 and no complaint', async () => {
    command = TerminalCommand.spawn('npm', ['start'], { ...embedded(), PORT: String(await freePort()) });
    await command.waitForOutput('Ctrl-C stops it.');
    await expectCleanStop(command);
  }, 180_000);

  it('stops `npm run start:order` (on Kafka) in order, with exit code 0 and no complaint', async () => {
    command = TerminalCommand.spawn('npm', ['run', 'start:order'], {
      ...embedded(),
      PORT: String(await freePort()),
      KAFKA_TOPIC_PREFIX: `ctrl-c-${process.pid}-`,
    });
    await command.waitForOutput('Ctrl-C stops it.');
    await expectCleanStop(command);
  }, 180_000);

  it('stops the projections CLI in order, with exit code 0 and no complaint', async () => {
    command = TerminalCommand.spawn('npm', ['run', 'projections', '--', 'rebuild', '--all'], embedded());
    // It has started its own server and has the read models' migrations and every rebuild ahead.
    await command.waitForOutput('Embedded PostgreSQL is ready');
    await expectCleanStop(command);
    expect(command.stdout).toContain('Interrupted');
  }, 120_000);
});
