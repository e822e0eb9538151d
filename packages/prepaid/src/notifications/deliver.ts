import { sql, type Kysely } from 'kysely';
import { GatewayError, type Gateway } from './gateways.js';
import type { Channel, NotificationsDb } from './tables.js';

/**
 * Sends due notices through the channel's gateway, each row taken with SKIP LOCKED so N instances
 * share the work. A failure that may pass is retried with backoff (30 s, 1, 2, 4 … min, 8 attempts);
 * a final one (bad address) marks the notice failed. A channel with no gateway configured waits.
 */
const MAX_ATTEMPTS = 8;

export async function deliverNotices(db: Kysely<NotificationsDb>, gateways: Partial<Record<Channel, Gateway>>, limit = 20): Promise<number> {
  const channels = Object.keys(gateways) as Channel[];
  if (!channels.length) return 0;
  let sent = 0;
  for (let i = 0; i < limit; i++) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('notification_outbox')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', new Date())
        .where('channel', 'in', channels)
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!row) return null;
      try {
        const id = await gateways[row.channel]!.send({ address: row.address, subject: row.subject, body: row.body });
        await trx.updateTable('notification_outbox').set({ status: 'sent', sent_at: new Date(), gateway_id: id, attempts: row.attempts + 1, last_error: null }).where('id', '=', row.id).execute();
        return true;
      } catch (error) {
        const permanent = error instanceof GatewayError && error.permanent;
        const attempts = row.attempts + 1;
        const failed = permanent || attempts >= MAX_ATTEMPTS;
        await trx
          .updateTable('notification_outbox')
          .set({ status: failed ? 'failed' : 'pending', attempts, last_error: String((error as Error).message).slice(0, 500), next_attempt_at: sql<Date>`now() + make_interval(secs => ${30 * 2 ** (attempts - 1)})` })
          .where('id', '=', row.id)
          .execute();
        return false;
      }
    });
    if (done === null) break;
    if (done) sent += 1;
  }
  return sent;
}
