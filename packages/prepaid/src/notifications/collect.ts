import { sql, type Kysely } from 'kysely';
import type { NotificationsDb } from './tables.js';

/**
 * Turns ledger operations into notices, reading the journal behind the ledger: nothing is added to the
 * purchase transaction, so the purchase path never waits for notifications (the journal itself is the
 * outbox). The cursor is the last operation seq read; a gap in seq (a transaction that took a number
 * and has not committed yet) is waited for up to GAP_GRACE_MS, then passed (a rolled-back number never
 * comes). Notices are written with the cursor in one transaction and are unique per operation, kind
 * and channel, so reading the same operations again writes nothing twice.
 */
const GAP_GRACE_MS = 10_000;
const BATCH = 500;

interface Op {
  id: string;
  seq: string;
  type: string;
  account_id: string | null;
  amount: string;
  created_at: Date;
  merchant: string | null;
}

const rub = (kopecks: bigint) => {
  const abs = kopecks < 0n ? -kopecks : kopecks;
  return `${kopecks < 0n ? '-' : ''}${(abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${(abs % 100n).toString().padStart(2, '0')} руб.`;
};

/** One pass: returns how many operations were read. */
export async function collectNotices(db: Kysely<NotificationsDb>, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // One collector at a time across instances: the cursor row is the lock.
    let cursor = await trx.selectFrom('notification_cursor').select('last_seq').forUpdate().executeTakeFirst();
    if (!cursor) {
      // First start: notify from now on, not about the history.
      const { rows } = await sql<{ max: string | null }>`select max(seq)::text as max from operations`.execute(trx);
      await trx.insertInto('notification_cursor').values({ last_seq: BigInt(rows[0]?.max ?? 0) }).onConflict((oc) => oc.doNothing()).execute();
      cursor = await trx.selectFrom('notification_cursor').select('last_seq').forUpdate().executeTakeFirstOrThrow();
    }
    const { rows: ops } = await sql<Op>`
      select o.id, o.seq::text as seq, o.type, o.account_id, o.amount::text as amount, o.created_at, m.name as merchant
      from operations o left join merchants m on m.id = o.merchant_id
      where o.seq > ${cursor.last_seq} order by o.seq limit ${BATCH}`.execute(trx);
    let last = BigInt(cursor.last_seq);
    let read = 0;
    for (const op of ops) {
      const seq = BigInt(op.seq);
      if (seq !== last + 1n && now.getTime() - op.created_at.getTime() < GAP_GRACE_MS) break;
      await noticesFor(trx, op);
      last = seq;
      read += 1;
    }
    if (read) await trx.updateTable('notification_cursor').set({ last_seq: last, updated_at: new Date() }).execute();
    return read;
  });
}

async function noticesFor(trx: Kysely<NotificationsDb>, op: Op) {
  if (!op.account_id) return;
  const subs = await trx
    .selectFrom('accounts as a')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .innerJoin('notification_subscriptions as s', 's.client_id', 'c.id')
    .select(['c.id as client_id', 'c.phone', 'c.email', 'a.number', 's.channel', 's.purchases', 's.low_balance', 's.low_balance_threshold'])
    .where('a.id', '=', op.account_id)
    .execute();
  if (!subs.length) return;
  // The wallets this operation moved, with their balances now (after it).
  const { rows: wallets } = await sql<{ wallet_id: string; product: string; name: string; moved: string; balance: string }>`
    select w.id::text as wallet_id, w.product_code as product, pr.name, sum(p.amount)::text as moved, w.balance::text as balance
    from postings p join wallets w on w.id = p.wallet_id join products pr on pr.code = w.product_code
    where p.operation_id = ${op.id} group by w.id, w.product_code, pr.name, w.balance`.execute(trx);
  const balances = wallets.map((w) => `${w.name} ${rub(BigInt(w.balance))}`).join(', ');

  for (const s of subs) {
    const address = s.channel === 'sms' ? s.phone : s.email;
    if (!address) continue;
    const add = (kind: 'purchase' | 'low_balance', subject: string, body: string) =>
      trx.insertInto('notification_outbox').values({ operation_id: op.id, client_id: s.client_id, kind, channel: s.channel, address, subject, body }).onConflict((oc) => oc.doNothing()).execute();
    if (op.type === 'purchase' && s.purchases) {
      await add('purchase', `Покупка на ${rub(BigInt(op.amount))}`, `Покупка ${rub(BigInt(op.amount))}${op.merchant ? ` в «${op.merchant}»` : ''}. Остаток: ${balances}. Счёт ${s.number}.`);
    }
    if (!s.low_balance) continue;
    for (const w of wallets) {
      const below = BigInt(w.balance) < BigInt(s.low_balance_threshold);
      if (!below) {
        // Back above the threshold: the next fall notifies again.
        await trx.deleteFrom('notification_low_balance').where('wallet_id', '=', BigInt(w.wallet_id)).where('channel', '=', s.channel).execute();
        continue;
      }
      if (BigInt(w.moved) >= 0n) continue;
      const fresh = await trx.insertInto('notification_low_balance').values({ wallet_id: BigInt(w.wallet_id), channel: s.channel }).onConflict((oc) => oc.doNothing()).returning('wallet_id').executeTakeFirst();
      if (fresh) await add('low_balance', `Низкий остаток: ${w.name}`, `На счёте ${s.number} остаток «${w.name}» ${rub(BigInt(w.balance))} — ниже ${rub(BigInt(s.low_balance_threshold))}.`);
    }
  }
}
