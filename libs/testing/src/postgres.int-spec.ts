import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase } from './postgres.js';

describe('test databases', () => {
  it('gives each caller its own empty database on the test server', async () => {
    const [a, b] = await Promise.all([createTestDatabase('probe'), createTestDatabase('probe')]);
    expect(a).not.toBe(b);
    const client = new pg.Client({ connectionString: a });
    await client.connect();
    const { rows } = await client.query<{ db: string; version: string }>('SELECT current_database() AS db, current_setting($1) AS version', ['server_version_num']);
    await client.end();
    expect(a.endsWith(`/${rows[0]!.db}`)).toBe(true);
    expect(Number(rows[0]!.version)).toBeGreaterThanOrEqual(180000);
  });
});
