import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Executor } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import { checkMessageId, checkTopic, errorText, type Bus } from '../bus/bus.js';
import { claimDue, deletePublishedBefore, markFailed, markPublished, release, type PendingMessage } from './outbox.repo.js';
import type { BusTables } from './tables.js';
import { Pause } from '../service/pause.js';

/**
 * Transactional outbox: a service writes the message into its own database in the same transaction
 * as the business change, so the message exists if and only if the change committed; the relay then
 * publishes it (at least once) whatever happens to the broker or the process in between.
 */
export interface EnqueueOptions {
  /** uuid; give one derived from the business change to make enqueueing idempotent too. */
  id?: string;
  headers?: Record<string, string>;
}

/** Writes `payload` to the outbox through `executor` (the caller's transaction). Returns the message id. */
export async function enqueueMessage<DB>(executor: Executor<DB>, topic: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
  checkTopic(topic);
  const id = options.id ? checkMessageId(options.id) : randomUUID();
  await asBusTables(executor)
    .insertInto('outbox')
    .values({
      message_id: id,
      topic,
      payload: JSON.stringify(payload ?? null),
      headers: JSON.stringify(options.headers ?? {}),
    })
    .execute();
  return id;
}

/** Deletes published messages older than `before`; the outbox is a queue, not an archive. */
export function prunePublished<DB>(executor: Executor<DB>, before: Date): Promise<bigint> {
  return deletePublishedBefore(asBusTables(executor), before);
}

export interface OutboxRelayOptions<DB> {
  database: Database<DB>;
  bus: Pick<Bus, 'publish'>;
  logger: Logger;
  /** Messages claimed per round. */
  batchSize?: number;
  /** How often the relay looks for messages nobody nudged it about (other instances, retries). */
  pollIntervalMs?: number;
  /** How long a claimed batch is reserved; longer than the bus's publish timeout. */
  leaseMs?: number;
  /** Delay before the next try after `attempts` failed publishes. */
  backoffMs?: (attempts: number) => number;
}

export interface RelayRound {
  claimed: number;
  published: number;
  failed: number;
}

/** 1s, 2s, 4s … capped at a minute: a broker outage is retried steadily, never given up on. */
export const defaultRelayBackoff = (attempts: number) => Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 60_000);

/**
 * Publishes outbox messages through the Bus. Several instances may run one each: batches are claimed
 * with FOR UPDATE SKIP LOCKED under a lease, so each message is published by one relay (again only if
 * that relay died before marking it). Within one relay a topic's messages go out in the order they were
 * enqueued, and a failed one holds back the later ones of its topic until it is through.
 */
export class OutboxRelay<DB = unknown> {
  private readonly db: Kysely<BusTables>;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly backoffMs: (attempts: number) => number;
  private loop: Promise<void> | undefined;
  private running = false;
  private nudged = false;
  private readonly pause = new Pause();

  constructor(private readonly options: OutboxRelayOptions<DB>) {
    this.db = asBusTables(options.database.db);
    this.logger = options.logger.child({ component: 'outbox-relay' });
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.backoffMs = options.backoffMs ?? defaultRelayBackoff;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the round in progress, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** Call after committing a transaction that enqueued messages, to publish them now instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.pause.wake();
  }

  /** One round: claim a batch, publish it, record the outcome. The loop's body, and a handle for tests. */
  async relayOnce(): Promise<RelayRound> {
    const batch = await claimDue(this.db, this.batchSize, this.leaseMs);
    if (batch.length === 0) return { claimed: 0, published: 0, failed: 0 };
    const byTopic = new Map<string, PendingMessage[]>();
    for (const message of batch) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    const outcomes = await Promise.all([...byTopic.values()].map((messages) => this.publishInOrder(messages)));
    const published = outcomes.flatMap((o) => o.published);
    await markPublished(this.db, published);
    return { claimed: batch.length, published: published.length, failed: outcomes.filter((o) => o.failed).length };
  }

  private async publishInOrder(messages: PendingMessage[]): Promise<{ published: bigint[]; failed: boolean }> {
    const published: bigint[] = [];
    for (const [index, message] of messages.entries()) {
      try {
        await this.options.bus.publish(message.topic, message.payload, {
          id: message.messageId,
          headers: message.headers,
          occurredAt: message.createdAt.toISOString(),
          // A message no queue would take stays here and is tried again, never dropped by the broker.
          mandatory: true,
        });
        published.push(message.id);
      } catch (err) {
        const attempts = message.attempts + 1;
        const retryInMs = this.backoffMs(attempts);
        this.logger[attempts >= 10 ? 'error' : 'warn'](
          { err, topic: message.topic, messageId: message.messageId, attempts, retryInMs },
          'outbox message not published, will retry',
        );
        await markFailed(this.db, message.id, errorText(err), retryInMs);
        await release(this.db, messages.slice(index + 1).map((m) => m.id));
        return { published, failed: true };
      }
    }
    return { published, failed: false };
  }

  private async run() {
    while (this.running) {
      this.nudged = false;
      let round: RelayRound = { claimed: 0, published: 0, failed: 0 };
      try {
        round = await this.relayOnce();
      } catch (err) {
        this.logger.error({ err }, 'outbox relay round failed');
      }
      if (!this.running) break;
      // A full batch means more are waiting; a nudge during the round means new ones were committed.
      if ((round.claimed === this.batchSize && round.failed === 0) || this.nudged) continue;
      await this.pause.for(this.pollIntervalMs);
    }
  }

}

/** The kernel's tables exist in every service database; the caller's own DB type does not list them. */
function asBusTables<DB>(executor: Executor<DB>): Kysely<BusTables> {
  return executor as unknown as Kysely<BusTables>;
}
