import { enqueueMessage, type Executor } from '@app/kernel';
import { eventId } from './message-ids.js';

/** An event the back will publish, built (from billing reads) before the transaction that writes it. */
export interface OutgoingEvent {
  topic: string;
  payload: unknown;
}

/**
 * Writes events to the outbox in the caller's transaction, in order (the relay keeps a topic's order).
 * Their message ids derive from `cause` (what produced them: a command's message id, a sync round) and
 * their position, so producing the same events again for the same cause collides on the outbox's unique
 * key, and the front's inbox drops a copy that got out anyway.
 */
export async function enqueueEvents<DB>(trx: Executor<DB>, cause: Array<string | number>, events: OutgoingEvent[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, event] of events.entries()) {
    ids.push(await enqueueMessage(trx, event.topic, event.payload, { id: eventId(...cause, index) }));
  }
  return ids;
}
