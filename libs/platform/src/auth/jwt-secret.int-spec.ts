import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtSecret } from './jwt-secret.js';

describe('the token signing secret', () => {
  it('is the configured one when there is one', async () => {
    expect(await jwtSecret('x'.repeat(40), '/nonexistent/never-written')).toBe('x'.repeat(40));
  });

  it('is generated once into its file, readable by the owner only, and the same at the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-jwt-'));
    try {
      const file = join(dir, 'nested', 'jwt-secret');
      const first = await jwtSecret(undefined, file);
      expect(first.length).toBeGreaterThanOrEqual(64);
      expect((await readFile(file, 'utf8')).trim()).toBe(first);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await jwtSecret(undefined, file)).toBe(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
