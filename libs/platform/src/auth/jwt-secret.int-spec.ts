import { describe, expect, it } from '@jest/globals';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtSecret } from './jwt-secret.js';

const STRONG = 'Vq3lV0xkq9m0dQ2s8Hn4XJw5bYp1Rz7TfUe6Ca9LgKo';

async function inTemporaryDirectory(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-jwt-'));
  try {
    await test(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the token signing secret', () => {
  it('is the configured one when there is one', async () => {
    expect(await jwtSecret(STRONG, '/nonexistent/never-written')).toBe(STRONG);
  });

  it('is refused, naming JWT_SECRET, when the configured one is weak', async () => {
    await expect(jwtSecret('x'.repeat(64), '/nonexistent/never-written')).rejects.toThrow(
      /^Invalid configuration: JWT_SECRET repeats one character too often to be random \(at least 32 random bytes/,
    );
  });

  it('is generated once into its file, readable by the owner only, and the same at the next start', async () => {
    await inTemporaryDirectory(async (dir) => {
      const file = join(dir, 'nested', 'jwt-secret');
      const first = await jwtSecret(undefined, file);
      expect(first.length).toBeGreaterThanOrEqual(64);
      expect((await readFile(file, 'utf8')).trim()).toBe(first);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await jwtSecret(undefined, file)).toBe(first);
      // The temporary file it was written under is gone.
      expect(await readdir(join(dir, 'nested'))).toEqual(['jwt-secret']);
    });
  });

  it.each([
    ['empty', '', 'is empty'],
    ['short', 'c2hvcnQtc2VjcmV0\n', 'is too short: at most 96 bits of entropy, 256 needed'],
  ])('is refused, naming JWT_SECRET_FILE and the file, when the file is %s', async (_, content, problem) => {
    await inTemporaryDirectory(async (dir) => {
      const file = join(dir, 'jwt-secret');
      await writeFile(file, content, { mode: 0o600 });
      await expect(jwtSecret(undefined, file)).rejects.toThrow(`Invalid configuration: JWT_SECRET_FILE (${file}) ${problem} (at least 32 random bytes`);
      // Left as it was, for whoever looks into it.
      expect(await readFile(file, 'utf8')).toBe(content);
    });
  });

  it('is the same, and whole, in every app of a machine started together', async () => {
    const processes = 8;
    const rounds = 40;
    const children = await Promise.all(Array.from({ length: processes }, () => startChild()));
    try {
      await inTemporaryDirectory(async (dir) => {
        for (let round = 0; round < rounds; round++) {
          const file = join(dir, `round-${round}`, 'jwt-secret');
          const answers = await Promise.all(children.map((child) => ask(child, file)));
          const kept = (await readFile(file, 'utf8')).trim();
          expect({ round, answers }).toEqual({ round, answers: answers.map(() => ({ secret: kept })) });
          expect(kept).toMatch(/^[A-Za-z0-9_-]{64}$/);
          expect((await readdir(join(dir, `round-${round}`))).sort()).toEqual(['jwt-secret']);
        }
      });
    } finally {
      for (const child of children) child.kill();
    }
  }, 120_000);
});

/** A process of its own that takes the secret as a host's start does (`jwt-secret.child.ts`). */
async function startChild(): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('jwt-secret.child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '' },
    silent: true,
  });
  await new Promise<void>((resolveReady, rejectReady) => {
    child.once('message', () => resolveReady());
    child.once('exit', (code) => rejectReady(new Error(`The child exited with code ${code} before it was ready`)));
  });
  return child;
}

function ask(child: ChildProcess, file: string): Promise<{ secret?: string; error?: string }> {
  return new Promise((resolveAnswer, rejectAnswer) => {
    const exited = (code: number | null) => rejectAnswer(new Error(`The child exited with code ${code} before it answered`));
    child.once('exit', exited);
    child.once('message', (answer) => {
      child.off('exit', exited);
      resolveAnswer(answer as { secret?: string; error?: string });
    });
    child.send(file);
  });
}
