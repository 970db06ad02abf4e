import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * The secret that signs access tokens: `configured` when set; otherwise one kept in
 * `file`, made at the first start (so that tokens outlive a restart) and announced.
 */
export async function jwtSecret(configured: string | undefined, file: string): Promise<string> {
  if (configured) return configured;
  const path = resolve(file);
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64url');
  await mkdir(dirname(path), { recursive: true });
  try {
    // Several apps started at once on one machine share the file: the first one writes it.
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(path, 'utf8')).trim();
    throw error;
  }
  new Logger('Auth').warn(`JWT_SECRET is not set: generated a signing secret in ${path}. Set JWT_SECRET in production.`);
  return secret;
}
