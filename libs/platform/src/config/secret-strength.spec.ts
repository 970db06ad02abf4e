import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { weakSecret } from './secret-strength.js';

describe('the strength of a secret', () => {
  it.each([
    ['32 random bytes in base64', randomBytes(32).toString('base64')],
    ['32 random bytes in base64url', randomBytes(32).toString('base64url')],
    ['32 random bytes in hex', randomBytes(32).toString('hex')],
    ['the secret a host generates', randomBytes(48).toString('base64url')],
    ['40 printable characters', 'k#8Vq!2m@Lp9$zR4^wT7&yN1*bX6(cJ3)hG5%fD0'],
  ])('accepts %s', (_, secret) => {
    expect(weakSecret(secret)).toBeUndefined();
  });

  it.each([
    ['nothing', '', 'is empty'],
    ['31 random bytes in hex', randomBytes(31).toString('hex'), 'is too short: at most 248 bits of entropy, 256 needed'],
    ['32 characters of base64', 'VGhpcyBpcyAzMiBjaGFyYWN0ZXJzISE', 'is too short: at most 186 bits of entropy, 256 needed'],
    ['a long number', '1234567890'.repeat(7), 'is too short: at most 232 bits of entropy, 256 needed'],
    ['one character repeated', 'x'.repeat(64), 'repeats one character too often to be random'],
    ['two characters in turn', 'ab'.repeat(40), 'repeats one character too often to be random'],
  ])('refuses %s', (_, secret, problem) => {
    expect(weakSecret(secret)).toBe(problem);
  });

  it('does not count base64 padding', () => {
    // 16 bytes: 22 characters and two '=' that say nothing.
    expect(weakSecret(randomBytes(16).toString('base64'))).toBe('is too short: at most 132 bits of entropy, 256 needed');
  });
});
