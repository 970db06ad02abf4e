import { describe, expect, it } from '@jest/globals';
import { correlationIdFrom } from './correlation-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation ids', () => {
  it.each(['abc-123', 'b7f3c0de-2f4e-4a57-9a4b-6f1f0e8a9c21', 'order:42', 'svc_1.req-7'])('keeps the caller’s %s', (id) => {
    expect(correlationIdFrom(id)).toBe(id);
  });

  it.each([
    ['none', undefined],
    ['an empty one', ''],
    ['spaces', 'abc 123'],
    ['markup', '<script>'],
    ['a line break', 'abc\n{"level":60}'],
    ['one over 128 characters', 'a'.repeat(129)],
    ['one starting with a dash', '-abc'],
    ['a repeated header', ['abc', 'def']],
  ])('makes a new UUID for %s', (_case, header) => {
    expect(correlationIdFrom(header)).toMatch(UUID);
  });
});
