import { createHash } from 'node:crypto';

// RFC 4122 name-based ids (version 5, SHA-1) in the back's own namespace.
const NAMESPACE = Buffer.from('6f1d3c2a8b7e4f0e9a5d2c1b0e9f8a7d', 'hex');

/**
 * The message id of an event derived from what it is about, so producing the same event twice (a
 * command delivered again, two back instances, a sync round repeated) gives the same id: the outbox's
 * unique key and the front's inbox both drop the copy.
 */
export function eventId(...parts: Array<string | number>): string {
  const hash = createHash('sha1').update(NAMESPACE).update(parts.join('\u001f')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
