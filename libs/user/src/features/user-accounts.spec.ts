import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { emailClaimStream, isUserId } from './user-accounts.js';

describe('the claim stream of an email address', () => {
  it('is `user_email-` and the SHA-256 of the trimmed, lower-cased address', () =>
    expect(emailClaimStream('ada@example.org')).toBe(`user_email-${createHash('sha256').update('ada@example.org').digest('hex')}`));
  it('is the same in any letter case and with surrounding spaces', () => expect(emailClaimStream(' ADA@Example.Org ')).toBe(emailClaimStream('ada@example.org')));
  it('differs for another address', () => expect(emailClaimStream('ada@example.org')).not.toBe(emailClaimStream('ada@example.com')));
});

describe('a user id', () => {
  it('is a UUID', () => expect(isUserId('3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3c')).toBe(true));
  it.each(['', 'ada', '3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3', "3f2b8c1e-6a4d-4f1e-9c2b-7d5e8a1f0b3c' OR 1=1"])('is not %p', (id) => expect(isUserId(id)).toBe(false));
});
