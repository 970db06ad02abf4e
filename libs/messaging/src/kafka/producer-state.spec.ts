import { describe, expect, it } from '@jest/globals';
import { KafkaJSAggregateError, KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { producerStateLost } from './kafka-publisher.js';

/** A broker's error answer, as kafkajs builds it from the response. */
const answer = (type: string, code: number) => new KafkaJSProtocolError({ type, code, retriable: false, message: `the broker answered ${type}` } as never);
/** kafkajs's retrier wraps what it gives up on like this (its typings leave the cause out). */
const gaveUpOn = (cause: Error) => new (KafkaJSNonRetriableError as unknown as new (error: Error, options: { cause: Error }) => Error)(cause, { cause });

describe('producerStateLost: when the transport replaces its producer', () => {
  it('is true for the answers after which an idempotent producer cannot send again, however kafkajs wraps them', () => {
    const outOfOrder = answer('OUT_OF_ORDER_SEQUENCE_NUMBER', 45);
    expect(
      [
        outOfOrder,
        answer('UNKNOWN_PRODUCER_ID', 59),
        answer('INVALID_PRODUCER_EPOCH', 47),
        answer('INVALID_PRODUCER_ID_MAPPING', 49),
        gaveUpOn(outOfOrder),
        new KafkaJSAggregateError('some partitions failed', [answer('LEADER_NOT_AVAILABLE', 5), outOfOrder]),
      ].map(producerStateLost),
    ).toEqual([true, true, true, true, true, true]);
  });

  it('is false for failures a retry with the same producer gets over', () => {
    const leaderMoved = answer('NOT_LEADER_FOR_PARTITION', 6);
    expect(
      [
        leaderMoved,
        answer('REQUEST_TIMED_OUT', 7),
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
        gaveUpOn(leaderMoved),
        new KafkaJSAggregateError('some partitions failed', [leaderMoved]),
        new Error('out of order sequence number'),
        undefined,
      ].map(producerStateLost),
    ).toEqual([false, false, false, false, false, false, false]);
  });
});
