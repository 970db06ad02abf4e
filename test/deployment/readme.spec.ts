import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { configReference } from '@agora/platform';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('documents every configuration variable as the schema defines it', () => {
    for (const row of configReference()) {
      const line = `| \`${row.name}\` | ${row.description} | ${row.allows} | ${row.default === undefined ? '—' : `\`${row.default}\``} |`;
      expect(readme).toContain(line);
    }
  });

  it('keeps the two-command quick start', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
