import { describe, expect, it, jest } from '@jest/globals';
import bcrypt from 'bcryptjs';
import type { DataSource } from 'typeorm';
import { NO_ONES_PASSWORD_HASH, hashPassword } from '../passwords.js';
import { UserCredentials } from './user-credentials.js';

/** A read model holding at most one user, found by the email it is asked for. */
function readModelWith(user?: { userId: string; email: string; role: 'customer' | 'admin'; passwordHash: string }) {
  const asked: unknown[] = [];
  const dataSource = { getRepository: () => ({ findOneBy: async (where: { email: string }) => (asked.push(where), user?.email === where.email ? user : null) }) };
  return { dataSource: dataSource as unknown as DataSource, asked };
}

describe('verifying credentials', () => {
  it('looks the email up lower-cased and trimmed', async () => {
    const user = { userId: 'u-1', email: 'ada@example.org', role: 'admin' as const, passwordHash: await hashPassword('correct horse') };
    const { dataSource, asked } = readModelWith(user);
    expect(await new UserCredentials(dataSource).verify(' ADA@Example.org', 'correct horse')).toEqual({ userId: 'u-1', role: 'admin' });
    expect(asked).toEqual([{ email: 'ada@example.org' }]);
  });

  it('still compares a password of the same cost for an unknown email, and refuses', async () => {
    const compare = jest.spyOn(bcrypt, 'compare');
    try {
      expect(await new UserCredentials(readModelWith().dataSource).verify('nobody@example.org', 'correct horse')).toBeUndefined();
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare.mock.calls[0]![1]).toBe(NO_ONES_PASSWORD_HASH);
    } finally {
      compare.mockRestore();
    }
  });
});
