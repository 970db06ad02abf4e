import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { MAX_PRICE_CENTS, MAX_STOCK_ADDITION } from '@agora/inventory';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '@agora/order';
import { configReference } from '@agora/platform';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('documents every configuration variable as the schema defines it', () => {
    for (const row of configReference()) {
      const line = `| \`${row.name}\` | ${row.description} | ${row.allows} | ${row.default === undefined ? '—' : `\`${row.default}\``} |`;
      expect(readme).toContain(line);
    }
  });

  it('states the bounds of counts and amounts that the API enforces', () => {
    const number = (value: number) => value.toLocaleString('en-US');
    expect(readme).toContain(`| lines of an order | 1 to ${MAX_ORDER_LINES}, each sku once |`);
    expect(readme).toContain(`| \`quantity\` of a line | 1 to ${number(MAX_LINE_QUANTITY)} |`);
    expect(readme).toContain(`| \`priceCents\` of a product | 0 to ${number(MAX_PRICE_CENTS)} (`);
    expect(readme).toContain(`| \`initialStock\`, and \`quantity\` of a stock addition | 0 to ${number(MAX_STOCK_ADDITION)} `);
    expect(readme).toContain(`${MAX_ORDER_LINES} × ${number(MAX_LINE_QUANTITY)} × ${number(MAX_PRICE_CENTS)} = 10^14 cents`);
    expect(MAX_ORDER_LINES * MAX_LINE_QUANTITY * MAX_PRICE_CENTS).toBe(10 ** 14);
  });

  it('keeps the two-command quick start', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
