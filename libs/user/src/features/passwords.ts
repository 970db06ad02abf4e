import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';

const COST = 10;

/**
 * bcrypt reads only the first 72 bytes of its input. A longer password (up to 128
 * characters are allowed, up to 4 bytes each) is hashed as its SHA-256 digest instead, so
 * that every character counts; shorter ones are hashed as they are, in standard bcrypt.
 */
function bcryptInput(password: string): string {
  return bcrypt.truncates(password) ? `sha256:${createHash('sha256').update(password, 'utf8').digest('base64')}` : password;
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(bcryptInput(password), COST);
}

export function passwordMatches(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(bcryptInput(password), hash);
}

/**
 * A hash of no one's password, at the same cost: checked against when the email is
 * unknown, so that an unknown email takes as long to refuse as a wrong password.
 */
export const NO_ONES_PASSWORD_HASH = '$2b$10$Sk3UWcGfnIZzDYcH/ravvuztB.g2ULioc9WpawesU8CAQpvrpuNcC';
