import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { locationOf } from './error-locations.js';

describe('locationOf', () => {
  const document = parse(
    [
      'query Other { me { email } }',
      'query Orders {',
      '  mine: orders {',
      '    items { ...Line', '      ... on Order { payments { charges { status } } } }',
      '  }',
      '}',
      'fragment Line on Order { lines { product { name } } }',
    ].join('\n'),
  );

  it('finds the field at a path of the named operation, by alias, through inline fragments and fragment spreads', () => {
    expect(locationOf(document, 'Orders', ['mine'])).toEqual({ line: 3, column: 3 });
    expect(locationOf(document, 'Orders', ['mine', 'items', 0, 'payments'])).toEqual({ line: 5, column: 22 });
    expect(locationOf(document, 'Orders', ['mine', 'items', 3, 'lines', 1, 'product'])).toEqual({ line: 8, column: 34 });
    expect(locationOf(document, undefined, ['me', 'email'])).toEqual({ line: 1, column: 20 });
  });

  it('finds nothing for a path that is not in the operation', () => {
    expect(locationOf(document, 'Orders', ['orders'])).toBeUndefined();
    expect(locationOf(document, 'Missing', ['me'])).toBeUndefined();
    expect(locationOf(document, 'Orders', ['mine', 'items', 0, 'refunds'])).toBeUndefined();
  });
});
