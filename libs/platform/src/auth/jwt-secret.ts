import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { InvalidConfiguration } from '../config/load-config.js';
import { secretFile } from '../config/secret-file.js';
import { SECRET_ALLOWS, weakSecret } from '../config/secret-strength.js';

/**
 * The secret that signs access tokens: `configured` when set; otherwise the one kept in
 * `file`, made at the first start (so that tokens outlive a restart) and announced. Apps
 * started together on one machine share the file and all get the one secret it holds. A
 * weak secret, from either, is refused with an `InvalidConfiguration` naming its variable.
 */
export async function jwtSecret(configured: string | undefined, file: string): Promise<string> {
  if (configured !== undefined) {
    const problem = weakSecret(configured);
    if (problem) throw new InvalidConfiguration([`JWT_SECRET ${problem} (${SECRET_ALLOWS})`]);
    return configured;
  }
  const path = resolve(file);
  const { secret, created } = await secretFile(path, `JWT_SECRET_FILE (${path})`);
  if (created) new Logger('Auth').warn(`JWT_SECRET is not set: generated a signing secret in ${path}. Set JWT_SECRET in production.`);
  return secret;
}
