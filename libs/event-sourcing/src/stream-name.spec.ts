import { describe, expect, it } from '@jest/globals';
import { categoryOf, streamName } from './stream-name.js';

describe('stream names', () => {
  it('joins category and id with a dash', () => expect(streamName('order', 'a-b')).toBe('order-a-b'));
  it('takes the text before the first dash as the category', () => expect(categoryOf('order-a-b')).toBe('order'));
  it('refuses a category with a dash', () => expect(() => streamName('order-x', '1')).toThrow(/letters, digits/));
});
