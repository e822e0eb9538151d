import { randomUUID } from 'node:crypto';
import type { Database, Logger } from '@app/kernel';
import { sql, type Transaction } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import type { CabinetFrontDb } from '../tables.js';
import { renderNotification } from './messages.js';
import type { Notifier } from './notifier.js';

type Trx = Transaction<CabinetFrontDb>;

/**
 * Announces a change by e-mail: a row written in the transaction of the change (so no change goes
 * unannounced and none is announced that rolled back); the dispatcher sends it afterwards.
 */
/** `event`: `status:<the new status>`, `message` or `document` — what changed, as it was then. */
export async function queueNotification(trx: Trx, n: { userId: string; subjectKind: 'application' | 'request'; subjectId: string; event: string }) {
  await trx.insertInto('notifications').values({ id: randomUUID(), user_id: n.userId, subject_kind: n.subjectKind, subject_id: n.subjectId, event: n.event, last_error: null, sent_at: null }).execute();
}

export interface DispatcherOptions {
  intervalMs?: number;
  batchSize?: number;
  maxAttempts?: number;
}

/**
 * Sends the queued e-mails: claims due rows (FOR UPDATE SKIP LOCKED, so instances share the work),
 * renders each, sends, marks. A failed send is retried with back-off (30 s × 2ⁿ, at most an hour) up to
 * `maxAttempts`; a user without an e-mail (registered by phone) is `skipped`. Sending inside the claiming
 * transaction keeps a batch to one instance (others skip the locked rows) at the price of at-least-once:
 * a crash after the SMTP server took a message and before the commit sends it again — a duplicate e-mail
 * is better than a lost one. Batches are small so the locks are short.
 */
export class NotificationDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii; notifier: Notifier; logger: Logger }, private readonly options: DispatcherOptions = {}) {}

  start() {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop() {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick() {
    if (this.running) return;
    this.running = this.dispatchOnce().then(() => undefined, (err) => this.deps.logger.warn({ err }, 'notification round failed')).finally(() => (this.running = undefined));
    await this.running;
  }

  /** One round; returns how many were sent. */
  async dispatchOnce(): Promise<number> {
    const { database, pii, notifier } = this.deps;
    const maxAttempts = this.options.maxAttempts ?? 10;
    let sent = 0;
    await database.transaction(async (trx) => {
      const due = await trx.selectFrom('notifications').selectAll().where('status', '=', 'pending').where('next_at', '<=', sql<Date>`now()`).orderBy('created_at').limit(this.options.batchSize ?? 20).forUpdate().skipLocked().execute();
      for (const n of due) {
        const user = await trx.selectFrom('consumer_users').select(['email_enc']).where('user_id', '=', n.user_id).executeTakeFirst();
        const email = pii.open('consumer_users', 'email_enc', n.user_id, user?.email_enc);
        if (!email) {
          await trx.updateTable('notifications').set({ status: 'skipped' }).where('id', '=', n.id).execute();
          continue;
        }
        const title = n.event === 'document' ? (await trx.selectFrom('documents').select('title').where('application_id', '=', n.subject_id).orderBy('received_at', 'desc').executeTakeFirst())?.title : undefined;
        const mail = renderNotification({ subjectKind: n.subject_kind, subjectId: n.subject_id, event: n.event, title });
        try {
          await notifier.send({ to: email, ...mail });
          await trx.updateTable('notifications').set({ status: 'sent', sent_at: new Date(), attempts: n.attempts + 1 }).where('id', '=', n.id).execute();
          sent++;
        } catch (err) {
          const attempts = n.attempts + 1;
          const delaySeconds = Math.min(30 * 2 ** (attempts - 1), 3600);
          await trx
            .updateTable('notifications')
            .set({ attempts, last_error: String((err as Error).message ?? err).slice(0, 500), status: attempts >= maxAttempts ? 'failed' : 'pending', next_at: sql`now() + make_interval(secs => ${delaySeconds})` })
            .where('id', '=', n.id)
            .execute();
        }
      }
    });
    return sent;
  }
}
