import { describe, expect, it } from '@jest/globals';
import { KafkaJSProtocolError } from 'kafkajs';
import { untilTopicsServed } from './kafka-transport.js';

type Metadata = { topics: { name: string; partitions: { leader: number }[] }[] };

/** A broker's answer to a metadata request, as kafkajs builds it. */
const unknownTopic = () => new KafkaJSProtocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true, message: 'This server does not host this topic-partition' } as never);
const served = (leaders: Record<string, number[]>): Metadata => ({ topics: Object.entries(leaders).map(([name, ids]) => ({ name, partitions: ids.map((leader) => ({ leader })) })) });

/** Answers metadata requests from a script, one entry per request; records the requests. */
function broker(script: (Metadata | Error)[]) {
  const asked: string[][] = [];
  const fetch = async (topics: string[]) => {
    asked.push(topics);
    const answer = script[Math.min(asked.length - 1, script.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch, asked };
}

describe('untilTopicsServed: the transport starts consuming only once the broker serves its topics', () => {
  it('asks again while the broker does not know a topic yet or a partition has no leader, and returns once all are served', async () => {
    const { fetch, asked } = broker([unknownTopic(), served({ a: [1, 1], b: [1, -1] }), served({ a: [1, 1] }), served({ a: [1, 1], b: [1, 1] })]);
    await untilTopicsServed(fetch, ['a', 'b'], { pauseMs: 1 });
    expect(asked).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('gives up after the timeout, naming the topics it still waits for', async () => {
    const { fetch } = broker([served({ a: [1], b: [-1] })]);
    await expect(untilTopicsServed(fetch, ['a', 'b'], { timeoutMs: 30, pauseMs: 5 })).rejects.toThrow('did not serve the topics within 30 ms: no leader yet for b');
  });

  it('passes on at once a failure that asking again does not mend', async () => {
    const denied = new KafkaJSProtocolError({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false, message: 'Not authorized to access topics' } as never);
    const { fetch, asked } = broker([denied, served({ a: [1] })]);
    await expect(untilTopicsServed(fetch, ['a'], { pauseMs: 1 })).rejects.toBe(denied);
    expect(asked).toHaveLength(1);
  });
});
