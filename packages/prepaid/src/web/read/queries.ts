import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../../tables.js';

/**
 * The three lists of the workplace that run over the big tables: the operations journal, an account's
 * statement and the client search. The routes run them, and workplace.plan.test.ts asks PostgreSQL for
 * their plans on a million operations, so what is tested is what is served.
 */

export interface JournalFilter {
  limit: number;
  from?: string | undefined;
  to?: string | undefined;
  type?: string | undefined;
  accountId?: string | undefined;
  merchantId?: string | undefined;
  cursor?: string | undefined;
}

export interface JournalRow {
  id: string;
  seq: string;
  type: string;
  created_at: Date;
  amount: string;
  account_id: string | null;
  number: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  terminal_id: string | null;
  original_operation_id: string | null;
  created_by: string | null;
}

/**
 * A journal page, newest first, `limit + 1` rows (the extra one says whether there is a next page).
 * Order (created_at desc, seq desc) matches the indexes of migration 0020; the cursor is the last row's
 * seq, looked up through its unique index, so microsecond timestamps survive the round trip.
 */
export const journalQuery = (q: JournalFilter) => sql<JournalRow>`
  select o.id, o.seq::text as seq, o.type, o.created_at, o.amount::text as amount, o.account_id, a.number, o.merchant_id, m.name as merchant_name,
         o.terminal_id, o.original_operation_id, o.created_by
  from (
    select * from operations o
    where true
      ${q.from ? sql`and o.created_at >= ${new Date(q.from)}` : sql``}
      ${q.to ? sql`and o.created_at < ${new Date(q.to)}` : sql``}
      ${q.type ? sql`and o.type = ${q.type}` : sql``}
      ${q.accountId ? sql`and o.account_id = ${q.accountId}` : sql``}
      ${q.merchantId ? sql`and o.merchant_id = ${q.merchantId}` : sql``}
      ${q.cursor ? sql`and (o.created_at, o.seq) < (select c.created_at, c.seq from operations c where c.seq = ${q.cursor}::bigint)` : sql``}
    order by o.created_at desc, o.seq desc
    limit ${q.limit + 1}
  ) o
  left join accounts a on a.id = o.account_id
  left join merchants m on m.id = o.merchant_id
  order by o.created_at desc, o.seq desc`;

/** An account's statement: its postings newest first, through its wallets (a handful) and postings_wallet. */
export const statementQuery = (db: Kysely<PrepaidDb>, accountId: string, page: { limit: number; offset: number }) =>
  db
    .selectFrom('operations as o')
    .innerJoin('postings as p', 'p.operation_id', 'o.id')
    .innerJoin('wallets as w', 'w.id', 'p.wallet_id')
    .select(['o.id', 'o.seq', 'o.type', 'o.created_at', 'o.merchant_id', 'p.product_code', 'p.amount'])
    .where('w.account_id', '=', accountId)
    .orderBy('o.seq', 'desc')
    .limit(page.limit)
    .offset(page.offset);

/**
 * How alike a query must be to a word run of the name to count as a misspelling (pg_trgm word similarity,
 * 0..1): "Петорв" is 0.43 of "Петров Сергей Иванович", an unrelated name under 0.2.
 */
export const NAME_SIMILARITY = 0.35;

/**
 * Clients found by a part of the name (ilike), a misspelt name (trigram word similarity), a phone, an
 * account number or an active identifier. Each way in is its own indexed branch (a GIN trigram index, a
 * btree) that carries the client's columns, not one OR over a join that only a scan of every client could
 * answer (nor a join back to clients, which the planner would hash over all of them). Exact and substring
 * matches come first, then the closest names. Run it with `searchClients`, which sets the threshold.
 */
export const clientSearchQuery = (q: string, page: { limit: number; offset: number }) => {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<{ id: string; full_name: string; phone: string | null; accounts: string[] }>`
    with hits as (
      select c.id, c.full_name, c.phone from clients c where c.full_name ilike ${like} or ${q} <% c.full_name
      union select c.id, c.full_name, c.phone from clients c where c.phone = ${q}
      union select c.id, c.full_name, c.phone from accounts a join clients c on c.id = a.client_id where a.number = ${q}
      union select c.id, c.full_name, c.phone from identifiers i join accounts a on a.id = i.account_id join clients c on c.id = a.client_id
            where i.value = upper(${q}) and i.status = 'active'
    )
    select h.id, h.full_name, h.phone,
           coalesce((select array_agg(a.number order by a.number) from accounts a where a.client_id = h.id), '{}') as accounts
    from hits h
    order by (h.full_name ilike ${like}) desc, word_similarity(${q}, h.full_name) desc, h.full_name, h.id
    limit ${page.limit} offset ${page.offset}`;
};

/** The word-similarity threshold is a setting; it is set for this transaction only. */
export const withNameSimilarity = <T>(db: Kysely<PrepaidDb>, run: (trx: Kysely<PrepaidDb>) => Promise<T>) =>
  db.transaction().execute(async (trx) => {
    await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(NAME_SIMILARITY)}, true)`.execute(trx);
    return run(trx);
  });

export const searchClients = async (db: Kysely<PrepaidDb>, q: string, page: { limit: number; offset: number }) =>
  (await withNameSimilarity(db, (trx) => clientSearchQuery(q, page).execute(trx))).rows;
