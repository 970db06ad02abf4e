import { describe, it } from '@jest/globals';
import { describeEventStoreContract } from '../../../testing/src/event-store-contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

// No EventStoreDB server can run inside the test process, so this suite needs one given
// from outside, e.g. EVENTSTORE_URL='esdb://127.0.0.1:2113?tls=false'.
const url = process.env['EVENTSTORE_URL'];

if (url) {
  describeEventStoreContract('EventStoreDbEventStore', async () => EventStoreDbEventStore.connect(url), (store) => store.close(), { multiStreamAppend: false });
} else {
  // Jest's summary counts this as skipped; the global setup says why, by name.
  describe.skip('EventStoreDB contract suite: EVENTSTORE_URL is not set (see README, "EventStoreDB")', () => {
    it('runs the event store contract against a real server', () => undefined);
  });
}
