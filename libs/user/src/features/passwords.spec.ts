import { describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { NO_ONES_PASSWORD_HASH, hashPassword, passwordMatches } from './passwords.js';

describe('password hashes', () => {
  it('are bcrypt at cost 10, never the password, and salted', async () => {
    const [first, second] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(bcrypt.getRounds(first)).toBe(10);
    expect(first).not.toContain('correct horse');
    expect(first).not.toBe(second);
    expect(await bcrypt.compare('correct horse', first)).toBe(true);
  });

  it('match their password only', async () => {
    const hash = await hashPassword('correct horse');
    expect(await passwordMatches('correct horse', hash)).toBe(true);
    expect(await passwordMatches('Correct horse', hash)).toBe(false);
  });

  it('count every character of a password longer than bcrypt reads (72 bytes)', async () => {
    const long = 'x'.repeat(100);
    const hash = await hashPassword(long);
    expect(await passwordMatches(long, hash)).toBe(true);
    expect(await passwordMatches(`${'x'.repeat(99)}y`, hash)).toBe(false);
  });

  it('have a stand-in for unknown users that is a real hash of the same cost', () => expect(bcrypt.getRounds(NO_ONES_PASSWORD_HASH)).toBe(10));
});
