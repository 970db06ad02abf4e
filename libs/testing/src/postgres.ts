import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Set by the jest global setup: the server on which each test file makes its own database. */
export const TEST_POSTGRES_URL = 'TEST_POSTGRES_URL';

/** Creates an empty database for one test file and returns its connection string. */
export async function createTestDatabase(prefix = 'test'): Promise<string> {
  const serverUrl = process.env[TEST_POSTGRES_URL];
  if (!serverUrl) throw new Error(`${TEST_POSTGRES_URL} is not set: run this test through jest's integration project.`);
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', (error) => console.warn(`The connection that creates test databases failed: ${error.message}`));
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
