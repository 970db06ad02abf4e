import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The id of the n-th message an event sent (a saga's command, an integration event), as the
 * relay that publishes it gives it: a name-based UUID of the event's id and n. What that
 * message caused names it as its causation, which is how the console finds a request's
 * answer. The same derivation as the server's (`derivedMessageId`, held to it by a test);
 * computed here because the browser's own digest works only on https and localhost.
 */
export function derivedMessageId(eventId: string, index: number): string {
  const hash = sha1(utf8ToBytes(`${eventId}/${index}`));
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = bytesToHex(hash.subarray(0, 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
