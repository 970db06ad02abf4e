import { describe, expect, it } from '@jest/globals';
import { INITIAL_TOKEN_VERSION, laterVersion, tokenCounts } from './token-version.js';

describe('token versions kept by an app without the user context', () => {
  it('lets a user nobody told of use tokens of the initial version, and later ones', () => {
    expect(INITIAL_TOKEN_VERSION).toBe(0);
    expect(tokenCounts(undefined, 0)).toBe(true);
    expect(tokenCounts(undefined, 2)).toBe(true);
  });

  it('refuses a token older than the version known, and takes that version and later ones', () => {
    expect(tokenCounts(3, 2)).toBe(false);
    expect(tokenCounts(3, 0)).toBe(false);
    expect(tokenCounts(3, 3)).toBe(true);
    expect(tokenCounts(3, 4)).toBe(true);
  });

  it('keeps the greater version, whatever order the messages come in, and again', () => {
    expect(laterVersion(undefined, 2)).toBe(2);
    expect(laterVersion(2, 3)).toBe(3);
    expect(laterVersion(3, 2)).toBe(3);
    expect(laterVersion(3, 3)).toBe(3);
    const arrivals = [1, 3, 2, 3, 1];
    expect(arrivals.reduce<number | undefined>(laterVersion, undefined)).toBe(3);
  });
});
