import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './pagination.js';

const ORDERS = ['timestamp', 'uuid'] as const;
const base64url = (text: string) => Buffer.from(text).toString('base64url');

describe('cursors', () => {
  it('gives back the values a page wrote', () => {
    const values = ['2026-11-27T19:21:09.123Z', '0b5c4b5e-3f0a-4a8e-9c1e-6a1f2d3c4b5a'] as const;
    expect(decodeCursor(encodeCursor(values), ORDERS)).toEqual(values);
    expect(decodeCursor(encodeCursor(['tea, green', 'TEA-GREEN']), ['string', /^[A-Z-]+$/] as const)).toEqual(['tea, green', 'TEA-GREEN']);
    expect(decodeCursor(encodeCursor([3, 'x']), ['number', 'string'] as const)).toEqual([3, 'x']);
  });

  it.each([
    { what: 'not base64url', cursor: 'a+b/c=' },
    { what: 'not JSON', cursor: base64url('not json') },
    { what: 'not a list', cursor: base64url('{"createdAt":"2026-11-27T19:21:09.123Z"}') },
    { what: 'one value short', cursor: encodeCursor(['2026-11-27T19:21:09.123Z']) },
    { what: 'a date that is not one', cursor: encodeCursor(['not a date', '0b5c4b5e-3f0a-4a8e-9c1e-6a1f2d3c4b5a']) },
    { what: 'a day that does not exist', cursor: encodeCursor(['2026-02-30T00:00:00.000Z', '0b5c4b5e-3f0a-4a8e-9c1e-6a1f2d3c4b5a']) },
    { what: 'an id that is not a UUID', cursor: encodeCursor(['2026-11-27T19:21:09.123Z', 'x']) },
    { what: 'a number for a string', cursor: encodeCursor([1, 2]) },
    { what: 'a NUL character', cursor: encodeCursor(['2026-11-27T19:21:09.123Z\u0000', '0b5c4b5e-3f0a-4a8e-9c1e-6a1f2d3c4b5a']) },
  ])('refuses a cursor that is $what with 400 naming after', ({ cursor }) => {
    expect(() => decodeCursor(cursor, ORDERS)).toThrow(new BadRequestException(['after must be a cursor from a previous page']));
  });

  it('refuses text no query takes and a value its pattern does not match', () => {
    expect(() => decodeCursor(encodeCursor(['a\ud800', 'SKU']), ['string', /^[A-Z]+$/] as const)).toThrow(BadRequestException);
    expect(() => decodeCursor(encodeCursor(['a', 'sku']), ['string', /^[A-Z]+$/] as const)).toThrow(BadRequestException);
  });
});
