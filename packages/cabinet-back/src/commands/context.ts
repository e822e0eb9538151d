import { consumeOnce, type Bus, type Database, type Logger, type Message } from '@app/kernel';
import type { Transaction } from 'kysely';
import type { BillingAdapter } from '../billing/billing-adapter.js';
import type { SnapshotOptions } from '../snapshot.js';
import type { CabinetBackDb } from '../tables.js';

/** What command handlers, back-office routes and the sync poller work with. */
export interface BackContext {
  database: Database<CabinetBackDb>;
  bus: Bus;
  adapter: BillingAdapter;
  logger: Logger;
  snapshotOptions: () => SnapshotOptions;
  /** Tells the outbox relay that events were committed (publish now rather than at its next poll). */
  nudge: () => void;
}

/** The inbox consumer name of the command handlers. */
export const COMMANDS_CONSUMER = 'cabinet-back.commands';

/**
 * Applies a command once. Billing is called first, outside the back's transaction (`prepare`: billing's
 * own idempotency makes a repeat harmless); then the inbox row and the events commit together
 * (`write`). A crash between the two leaves no inbox row, so the redelivered command runs again and
 * billing answers as the first time. A command already applied is skipped before billing is called.
 */
export async function applyOnce<P>(
  ctx: BackContext,
  message: Pick<Message, 'id' | 'topic'>,
  prepare: () => Promise<P>,
  write: (trx: Transaction<CabinetBackDb>, prepared: P) => Promise<void>,
): Promise<boolean> {
  if (await alreadyApplied(ctx, message.id)) return false;
  const prepared = await prepare();
  const applied = await consumeOnce(ctx.database, COMMANDS_CONSUMER, message, (trx) => write(trx, prepared));
  if (applied) ctx.nudge();
  return applied;
}

async function alreadyApplied(ctx: BackContext, messageId: string) {
  const row = await ctx.database.db
    .selectFrom('inbox')
    .select('message_id')
    .where('consumer', '=', COMMANDS_CONSUMER)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
  return Boolean(row);
}

/** Keeps a command that can never apply (bad payload, unknown topic, unlinked consumer) and logs it. */
export async function deadCommand(ctx: BackContext, message: Message, errors: unknown[]) {
  ctx.logger.error({ topic: message.topic, messageId: message.id, errors }, 'command dead-lettered: it can never apply');
  await ctx.database.db
    .insertInto('dead_commands')
    .values({ message_id: message.id, topic: message.topic, payload: JSON.stringify(message.payload ?? null), errors: JSON.stringify(errors) })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .execute();
}
