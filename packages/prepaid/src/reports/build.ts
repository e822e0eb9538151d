import { notFound } from '@app/kernel';
import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';
import { formatDateTime, type Cell, type Report, type ReportParams } from './model.js';
import { textsFor } from './texts.js';

/**
 * Each report read from the ledger (operations + postings: the journal is the truth, cached balances
 * are not used), for the period [from, to). Long lists are read in keyset batches so memory and
 * progress both move in steps; `progress` gets 0–90 while reading (rendering takes the rest).
 */
export type Progress = (percent: number, rows: number) => Promise<void>;
const BATCH = 5000;

interface OperationRow {
  seq: string;
  created_at: Date;
  type: string;
  number: string | null;
  merchant: string | null;
  terminal_id: string | null;
  created_by: string | null;
  amount: string;
}

export async function buildReport(db: Kysely<PrepaidDb>, p: ReportParams, progress: Progress = async () => {}): Promise<Report> {
  const from = new Date(p.from);
  const to = new Date(p.to);
  const t = textsFor(p.lang);
  const lang = p.lang ?? 'ru';
  const periodLine = `${t.period}: ${formatDateTime(from, lang)} — ${formatDateTime(to, lang)}`;
  const base = { title: t.title[p.kind], generatedAt: new Date(), fileStem: `${p.kind}_${p.from.slice(0, 10)}_${p.to.slice(0, 10)}` };

  // The operations of the period (optionally of one type set / merchant), newest last, in batches.
  const readOperations = async (types: string[] | null, merchantId: string | undefined, signed: boolean) => {
    const filter = sql`o.created_at >= ${from} and o.created_at < ${to}
      ${types ? sql`and o.type in (${sql.join(types)})` : sql``}
      ${merchantId ? sql`and o.merchant_id = ${merchantId}` : sql``}`;
    const { rows: counted } = await sql<{ n: string }>`select count(*) as n from operations o where ${filter}`.execute(db);
    const total = Number(counted[0]!.n);
    const rows: Array<Record<string, Cell>> = [];
    let after: { at: Date; seq: string } | null = null;
    for (;;) {
      const batch: OperationRow[] = (
        await sql<OperationRow>`
        select o.seq::text as seq, o.created_at, o.type, a.number, m.name as merchant, o.terminal_id, o.created_by, o.amount::text as amount
        from operations o left join accounts a on a.id = o.account_id left join merchants m on m.id = o.merchant_id
        where ${filter} ${after ? sql`and (o.created_at, o.seq) > (${after.at}, ${after.seq}::bigint)` : sql``}
        order by o.created_at, o.seq limit ${BATCH}`.execute(db)
      ).rows;
      for (const r of batch) {
        const amount = BigInt(r.amount);
        // In the purchase diary returns count against purchases; the journal shows amounts as posted.
        rows.push({ at: r.created_at, seq: r.seq, type: t.types[r.type] ?? r.type, account: r.number, merchant: r.merchant, terminal: r.terminal_id, by: r.created_by, amount: signed && r.type !== 'purchase' ? -amount : amount });
      }
      await progress(total ? Math.min(90, Math.round((rows.length / total) * 90)) : 90, rows.length);
      if (batch.length < BATCH) break;
      const last: OperationRow = batch[batch.length - 1]!;
      after = { at: last.created_at, seq: last.seq };
    }
    return rows;
  };

  switch (p.kind) {
    case 'purchase_diary': {
      const rows = await readOperations(['purchase', 'refund', 'reversal'], p.merchantId, true);
      const sum = (pred: (r: Record<string, Cell>) => boolean) => rows.filter(pred).reduce((s, r) => s + (r.amount as bigint), 0n);
      const purchases = sum((r) => (r.amount as bigint) > 0n);
      const returns = sum((r) => (r.amount as bigint) < 0n);
      return {
        ...base,
        lines: [periodLine, `${t.purchases}: ${rows.filter((r) => (r.amount as bigint) > 0n).length}`],
        tables: [
          {
            columns: [
              { key: 'at', title: t.at, kind: 'datetime', width: 2 },
              { key: 'seq', title: t.seq, kind: 'text', width: 1 },
              { key: 'type', title: t.type, kind: 'text', width: 1.3 },
              { key: 'account', title: t.account, kind: 'text', width: 1.6 },
              { key: 'merchant', title: t.merchant, kind: 'text', width: 2.2 },
              { key: 'amount', title: t.amount, kind: 'money', width: 1.5 },
            ],
            rows,
            totals: { merchant: t.total, amount: purchases + returns },
          },
          {
            title: t.summary,
            columns: [
              { key: 'what', title: '', kind: 'text', width: 3 },
              { key: 'amount', title: t.amount, kind: 'money', width: 2 },
            ],
            rows: [
              { what: t.purchases, amount: purchases },
              { what: t.returns, amount: returns },
              { what: t.net, amount: purchases + returns },
            ],
          },
        ],
      };
    }
    case 'operations_journal': {
      const rows = await readOperations(null, p.merchantId, false);
      const byType = new Map<string, { count: number; amount: bigint }>();
      for (const r of rows) {
        const x = byType.get(r.type as string) ?? { count: 0, amount: 0n };
        x.count += 1;
        x.amount += r.amount as bigint;
        byType.set(r.type as string, x);
      }
      return {
        ...base,
        lines: [periodLine],
        tables: [
          {
            columns: [
              { key: 'at', title: t.at, kind: 'datetime', width: 2 },
              { key: 'seq', title: t.seq, kind: 'text', width: 1 },
              { key: 'type', title: t.type, kind: 'text', width: 1.3 },
              { key: 'account', title: t.account, kind: 'text', width: 1.6 },
              { key: 'merchant', title: t.merchant, kind: 'text', width: 2 },
              { key: 'by', title: t.by, kind: 'text', width: 1.2 },
              { key: 'amount', title: t.amount, kind: 'money', width: 1.4 },
            ],
            rows,
          },
          {
            title: t.summary,
            columns: [
              { key: 'type', title: t.type, kind: 'text', width: 2 },
              { key: 'count', title: t.count, kind: 'int', width: 1 },
              { key: 'amount', title: t.amount, kind: 'money', width: 2 },
            ],
            rows: [...byType.entries()].map(([type, x]) => ({ type, count: x.count, amount: x.amount })),
            totals: { type: t.total, count: rows.length, amount: rows.reduce((s, r) => s + (r.amount as bigint), 0n) },
          },
        ],
      };
    }
    case 'account_statement': {
      if (!p.accountId) throw notFound('account_not_found', 'No such account');
      const account = await db.selectFrom('accounts as a').innerJoin('clients as c', 'c.id', 'a.client_id').select(['a.id', 'a.number', 'c.full_name']).where('a.id', '=', p.accountId).executeTakeFirst();
      if (!account) throw notFound('account_not_found', 'No such account');
      const { rows: opening } = await sql<{ product_code: string; opening: string }>`
        select w.product_code, coalesce(sum(p.amount) filter (where o.created_at < ${from}), 0)::text as opening
        from wallets w left join postings p on p.wallet_id = w.id left join operations o on o.id = p.operation_id
        where w.account_id = ${account.id} group by w.product_code order by w.product_code`.execute(db);
      const { rows: lines } = await sql<{ created_at: Date; seq: string; type: string; product_code: string; merchant: string | null; amount: string }>`
        select o.created_at, o.seq::text as seq, o.type, p.product_code, m.name as merchant, p.amount::text as amount
        from postings p join wallets w on w.id = p.wallet_id join operations o on o.id = p.operation_id left join merchants m on m.id = o.merchant_id
        where w.account_id = ${account.id} and o.created_at >= ${from} and o.created_at < ${to}
        order by o.created_at, o.seq, p.product_code`.execute(db);
      await progress(90, lines.length);
      const tables = opening.map((w) => {
        const mine = lines.filter((l) => l.product_code === w.product_code);
        const open = BigInt(w.opening);
        const credited = mine.filter((l) => BigInt(l.amount) > 0n).reduce((s, l) => s + BigInt(l.amount), 0n);
        const debited = mine.filter((l) => BigInt(l.amount) < 0n).reduce((s, l) => s + BigInt(l.amount), 0n);
        return {
          title: `${t.product}: ${w.product_code}`,
          columns: [
            { key: 'at', title: t.at, kind: 'datetime' as const, width: 2 },
            { key: 'seq', title: t.seq, kind: 'text' as const, width: 1 },
            { key: 'type', title: t.type, kind: 'text' as const, width: 1.4 },
            { key: 'merchant', title: t.merchant, kind: 'text' as const, width: 2.4 },
            { key: 'amount', title: t.amount, kind: 'money' as const, width: 1.5 },
          ],
          rows: [
            { type: t.opening, amount: open },
            ...mine.map((l) => ({ at: l.created_at, seq: l.seq, type: t.types[l.type] ?? l.type, merchant: l.merchant, amount: BigInt(l.amount) })),
            { type: t.credited, amount: credited },
            { type: t.debited, amount: debited },
          ],
          totals: { type: t.closing, amount: open + credited + debited },
        };
      });
      return { ...base, fileStem: `statement_${account.number}_${p.from.slice(0, 10)}`, lines: [`${t.account}: ${account.number}`, `${t.client}: ${account.full_name}`, periodLine], tables };
    }
    case 'money_movement': {
      if (!p.clientId) throw notFound('client_not_found', 'No such client');
      const client = await db.selectFrom('clients').select(['id', 'full_name']).where('id', '=', p.clientId).executeTakeFirst();
      if (!client) throw notFound('client_not_found', 'No such client');
      const { rows } = await sql<{ number: string; product_code: string; opening: string; credited: string; debited: string }>`
        select a.number, w.product_code,
               coalesce(sum(p.amount) filter (where o.created_at < ${from}), 0)::text as opening,
               coalesce(sum(p.amount) filter (where o.created_at >= ${from} and o.created_at < ${to} and p.amount > 0), 0)::text as credited,
               coalesce(sum(p.amount) filter (where o.created_at >= ${from} and o.created_at < ${to} and p.amount < 0), 0)::text as debited
        from accounts a join wallets w on w.account_id = a.id left join postings p on p.wallet_id = w.id left join operations o on o.id = p.operation_id
        where a.client_id = ${client.id} group by a.number, w.product_code order by a.number, w.product_code`.execute(db);
      await progress(90, rows.length);
      const data = rows.map((r) => {
        const opening = BigInt(r.opening);
        const credited = BigInt(r.credited);
        const debited = BigInt(r.debited);
        return { account: r.number, product: r.product_code, opening, credited, debited, closing: opening + credited + debited };
      });
      const sum = (k: 'opening' | 'credited' | 'debited' | 'closing') => data.reduce((s, r) => s + r[k], 0n);
      return {
        ...base,
        fileStem: `certificate_${p.from.slice(0, 10)}_${p.to.slice(0, 10)}`,
        lines: [`${t.client}: ${client.full_name}`, periodLine],
        tables: [
          {
            columns: [
              { key: 'account', title: t.account, kind: 'text', width: 1.6 },
              { key: 'product', title: t.product, kind: 'text', width: 1.2 },
              { key: 'opening', title: t.opening, kind: 'money', width: 1.4 },
              { key: 'credited', title: t.credited, kind: 'money', width: 1.4 },
              { key: 'debited', title: t.debited, kind: 'money', width: 1.4 },
              { key: 'closing', title: t.closing, kind: 'money', width: 1.4 },
            ],
            rows: data,
            totals: { account: t.total, opening: sum('opening'), credited: sum('credited'), debited: sum('debited'), closing: sum('closing') },
          },
        ],
      };
    }
    case 'merchant_turnover': {
      // Purchases and returns from the wallet side of the postings of operations at a merchant.
      const { rows } = await sql<{ code: string; name: string; product_code: string; count: string; purchases: string; returns: string }>`
        select m.code, m.name, p.product_code, count(distinct o.id) filter (where o.type = 'purchase')::text as count,
               coalesce(-sum(p.amount) filter (where o.type = 'purchase'), 0)::text as purchases,
               coalesce(-sum(p.amount) filter (where o.type in ('refund', 'reversal')), 0)::text as returns
        from operations o join postings p on p.operation_id = o.id and p.wallet_id is not null join merchants m on m.id = o.merchant_id
        where o.created_at >= ${from} and o.created_at < ${to} and o.type in ('purchase', 'refund', 'reversal')
          ${p.merchantId ? sql`and o.merchant_id = ${p.merchantId}` : sql``}
        group by m.code, m.name, p.product_code order by m.code, p.product_code`.execute(db);
      await progress(90, rows.length);
      const data = rows.map((r) => ({ merchant: `${r.name} (${r.code})`, product: r.product_code, count: Number(r.count), purchases: BigInt(r.purchases), returns: BigInt(r.returns), net: BigInt(r.purchases) + BigInt(r.returns) }));
      return {
        ...base,
        lines: [periodLine],
        tables: [
          {
            columns: [
              { key: 'merchant', title: t.merchant, kind: 'text', width: 2.6 },
              { key: 'product', title: t.product, kind: 'text', width: 1.2 },
              { key: 'count', title: t.count, kind: 'int', width: 1 },
              { key: 'purchases', title: t.purchases, kind: 'money', width: 1.5 },
              { key: 'returns', title: t.returns, kind: 'money', width: 1.5 },
              { key: 'net', title: t.net, kind: 'money', width: 1.5 },
            ],
            rows: data,
            totals: {
              merchant: t.total,
              count: data.reduce((s, r) => s + r.count, 0),
              purchases: data.reduce((s, r) => s + r.purchases, 0n),
              returns: data.reduce((s, r) => s + r.returns, 0n),
              net: data.reduce((s, r) => s + r.net, 0n),
            },
          },
        ],
      };
    }
    case 'balances_summary': {
      // Balances as of `to`, from the postings (not the cached wallet balance): a past date works too.
      const { rows } = await sql<{ product_code: string; name: string; wallets: string; balance: string; negative: string }>`
        select pr.code as product_code, pr.name, count(*)::text as wallets, coalesce(sum(b.balance), 0)::text as balance, count(*) filter (where b.balance < 0)::text as negative
        from (
          select w.id, w.product_code, coalesce(sum(p.amount) filter (where o.created_at < ${to}), 0) as balance
          from wallets w left join postings p on p.wallet_id = w.id left join operations o on o.id = p.operation_id
          group by w.id, w.product_code
        ) b join products pr on pr.code = b.product_code
        group by pr.code, pr.name order by pr.code`.execute(db);
      await progress(90, rows.length);
      const data = rows.map((r) => ({ product: `${r.name} (${r.product_code})`, wallets: Number(r.wallets), negative: Number(r.negative), balance: BigInt(r.balance) }));
      return {
        ...base,
        fileStem: `balances_${p.to.slice(0, 10)}`,
        lines: [`${t.atMoment}: ${formatDateTime(to, lang)}`],
        tables: [
          {
            columns: [
              { key: 'product', title: t.product, kind: 'text', width: 3 },
              { key: 'wallets', title: t.wallets, kind: 'int', width: 1 },
              { key: 'negative', title: t.negative, kind: 'int', width: 1.4 },
              { key: 'balance', title: t.balance, kind: 'money', width: 1.6 },
            ],
            rows: data,
            totals: { product: t.total, wallets: data.reduce((s, r) => s + r.wallets, 0), negative: data.reduce((s, r) => s + r.negative, 0), balance: data.reduce((s, r) => s + r.balance, 0n) },
          },
        ],
      };
    }
  }
}
