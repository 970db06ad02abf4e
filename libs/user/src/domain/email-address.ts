import { InvalidUserField } from './errors.js';

/**
 * An email address as the user context keeps and compares it: trimmed and lower-cased.
 * Mail providers treat the local part case-insensitively in practice, and one person must
 * not hold two accounts as `Ada@x.org` and `ada@x.org`.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose (one @, a dot in the domain, no spaces): the HTTP layer checks the
// format strictly; the domain only refuses what can never be an address.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;

/** The normalized address, or `InvalidUserField` for one that cannot be an address. */
export function requireEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (!EMAIL.test(normalized) || normalized.length > MAX_EMAIL_LENGTH) {
    throw new InvalidUserField('email', `must be a valid email address of at most ${MAX_EMAIL_LENGTH} characters`);
  }
  return normalized;
}
