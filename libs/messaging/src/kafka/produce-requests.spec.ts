import { describe, expect, it } from '@jest/globals';
import type { TopicMessages } from 'kafkajs';
import { requestsOf } from './kafka-publisher.js';

/** A send of `count` records to `topic`, valued `<tag>.<i>`. */
const send = (topic: string, tag: string, count = 1): TopicMessages => ({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: 'k', value: `${tag}.${i}` })) });
const values = (request: TopicMessages[]) => Object.fromEntries(request.map(({ topic, messages }) => [topic, messages.map((message) => message.value)]));

describe('requestsOf: the produce requests for sends that went together', () => {
  it('puts each topic\'s records in one list, in the order of the sends', () => {
    const requests = requestsOf([[send('a', 's1'), send('b', 's1')], [send('b', 's2')], [send('a', 's3', 2)]]);
    expect(requests.map(values)).toEqual([{ a: ['s1.0', 's3.0', 's3.1'], b: ['s1.0', 's2.0'] }]);
  });

  it('starts a new request before a send that would take one past 500 records, and never splits a send', () => {
    const requests = requestsOf([[send('a', 's1', 300)], [send('a', 's2', 200)], [send('a', 's3', 1)], [send('b', 's4', 600)]]);
    expect(requests.map((request) => request.map(({ topic, messages }) => `${topic}:${messages.length}`))).toEqual([['a:500'], ['a:1'], ['b:600']]);
    expect(requests.flatMap((request) => request.flatMap(({ messages }) => messages.map((message) => message.value)))).toEqual([
      ...send('a', 's1', 300).messages.map((m) => m.value),
      ...send('a', 's2', 200).messages.map((m) => m.value),
      's3.0',
      ...send('b', 's4', 600).messages.map((m) => m.value),
    ]);
  });
});
