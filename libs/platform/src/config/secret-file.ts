import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidConfiguration } from './load-config.js';
import { SECRET_ALLOWS, weakSecret } from './secret-strength.js';

/**
 * The secret kept in `path`, made at the first call: 48 random bytes (base64url), readable
 * by the owner only. A secret that is there already is checked as a configured one would
 * be; `name` says in the error what holds it (e.g. `JWT_SECRET_FILE (/srv/.data/jwt-secret)`).
 *
 * A new secret is written whole, and flushed, under a temporary name in the same
 * directory, then hard-linked to `path`. The link fails when the file exists, so when
 * several processes start together one of them wins, the others read its secret, and no
 * one ever sees the file half-written. `owner` gives the file to another user (e.g. the
 * one a server runs as) before it appears.
 */
export async function secretFile(
  path: string,
  name: string,
  options: { readonly owner?: { readonly uid: number; readonly gid: number } } = {},
): Promise<{ readonly secret: string; readonly created: boolean }> {
  const existing = await readSecretFile(path, name);
  if (existing !== undefined) return { secret: existing, created: false };
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(`${secret}\n`);
      await file.sync();
      if (options.owner) await file.chown(options.owner.uid, options.owner.gid);
    } finally {
      await file.close();
    }
    try {
      await link(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { secret: (await readSecretFile(path, name))!, created: false };
    }
    await syncDirectory(directory);
    return { secret, created: true };
  } finally {
    await rm(temporary, { force: true });
  }
}

/**
 * The secret in `path`, `undefined` when there is no such file; refused with an
 * `InvalidConfiguration` naming `name` when it is too weak.
 */
export async function readSecretFile(path: string, name: string): Promise<string | undefined> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = content.trim();
  const problem = weakSecret(secret);
  if (problem) throw new InvalidConfiguration([`${name} ${problem} (${SECRET_ALLOWS}); remove the file to have a new one generated`]);
  return secret;
}

/** So that the new name survives a crash of the machine, as the file's content does. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
