import { prunePublished, type Database, type KeyRing, type ServiceRuntime } from '@app/kernel';
import { resolveKeyRing } from './crypto/keys.js';
import { Pii } from './crypto/pii.js';
import { consumeEvents } from './read-model/event-consumer.js';
import type { CabinetFrontDb } from './tables.js';

export interface CabinetFrontWorkerOptions {
  /** Published outbox commands are deleted after this long (link requests carry the applicant's name). Default 60 s. */
  outboxRetentionMs?: number;
  /** How often the outbox is pruned. Default 30 s. */
  pruneIntervalMs?: number;
  events?: { maxAttempts?: number; prefetch?: number };
  /** Field-encryption keys; default from the environment (FIELD_KEYS, …) as the app resolves them. */
  keys?: KeyRing;
}

/**
 * The front's background work: the consumer of the back's events (queue `cabinet-front.events`) and
 * the pruning of published commands. Every instance may run it. Returns one stopper.
 */
export async function startCabinetFrontWorkers(runtime: ServiceRuntime, options: CabinetFrontWorkerOptions = {}): Promise<() => Promise<void>> {
  const pii = new Pii(options.keys ?? resolveKeyRing());
  const subscription = await consumeEvents(runtime, pii, options.events);
  const retention = options.outboxRetentionMs ?? 60_000;
  const database = runtime.database as Database<CabinetFrontDb>;
  const prune = () => prunePublished(database.db, new Date(Date.now() - retention)).catch((err) => runtime.logger.warn({ err }, 'outbox prune failed'));
  const timer = setInterval(() => void prune(), options.pruneIntervalMs ?? 30_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await subscription.close();
  };
}
