import { describe, expect, it } from '@jest/globals';
import { normalizeEmail, requireEmail } from './email-address.js';

describe('an email address', () => {
  it('is compared trimmed and lower-cased', () => expect(normalizeEmail('  Ada.Lovelace@Example.ORG\t')).toBe('ada.lovelace@example.org'));
  it('is kept normalized when valid', () => expect(requireEmail(' Ada@Example.org ')).toBe('ada@example.org'));
  it.each(['ada', '@example.org', 'ada@', 'ada@example', 'a da@example.org', 'ada@@example.org'])('is refused as %p', (email) =>
    expect(() => requireEmail(email)).toThrow('email must be a valid email address of at most 254 characters'));
  it('may be 254 characters long, not 255', () => {
    const domain = '@example.org';
    expect(requireEmail(`${'a'.repeat(254 - domain.length)}${domain}`)).toHaveLength(254);
    expect(() => requireEmail(`${'a'.repeat(255 - domain.length)}${domain}`)).toThrow(/^email /);
  });
});
