import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepaidMigrations } from '../../migrations.js';
import type { PrepaidDb } from '../../tables.js';
import { clientSearchQuery, journalQuery, statementQuery, withNameSimilarity } from './queries.js';

/**
 * "Tables stay fast with a million operations": the journal, statement and client-search queries the
 * server issues (queries.ts), planned by PostgreSQL over 1,000,000 operations, 1,000,000 postings and
 * 20,000 clients. Each must read its page through an index and touch a bounded number of rows, never a
 * scan or a sort of the big tables. Times are printed, not asserted (a loaded box says nothing about
 * speed; the plan shape is what holds).
 */
const OPERATIONS = Number(process.env.PLAN_OPERATIONS ?? 1_000_000);
const CLIENTS = 20_000;
const onPostgres = Boolean(process.env.DATABASE_URL);
const title = onPostgres
  ? 'workplace lists over a million operations (PostgreSQL plans)'
  : 'workplace lists over a million operations — skipped: needs a real PostgreSQL (DATABASE_URL); PGlite is single-process WASM whose planner and memory say nothing about production plans';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

let database: TestDatabase<PrepaidDb>;
let db: Kysely<PrepaidDb>;
const times: Record<string, string> = {};

type Compiled = { sql: string; parameters: readonly unknown[] };

async function explain(compiled: Compiled, on: Kysely<PrepaidDb> = db) {
  const text = compiled.sql.replace(/\$(\d+)/g, (_, n: string) => literal(compiled.parameters[Number(n) - 1]));
  const { rows } = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>`explain (analyze, buffers, format json) ${sql.raw(text)}`.execute(on);
  const [result] = rows[0]!['QUERY PLAN'];
  return { plan: nodes(result!.Plan), ms: result!['Execution Time'] };
}

/** Parameters inlined as literals: EXPLAIN cannot take bind parameters through this path. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** Median of three runs of the query itself (the plan's Execution Time), for the report. */
async function timed(name: string, run: () => Promise<{ ms: number }>) {
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) ms.push((await run()).ms);
  times[name] = `${ms.sort((a, b) => a - b)[1]!.toFixed(2)} ms`;
}

function expectBounded(plan: PlanNode[], bound: number) {
  for (const n of plan) {
    if (n['Relation Name'] === 'operations' || n['Relation Name'] === 'postings') expect(n['Node Type'], `${n['Node Type']} on ${n['Relation Name']}`).not.toBe('Seq Scan');
    if (n['Relation Name'] === 'operations' || n['Relation Name'] === 'postings' || n['Node Type'] === 'Sort') expect(((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0)) * (n['Actual Loops'] ?? 1), `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name'] ?? ''}`).toBeLessThanOrEqual(bound);
  }
}
const indexesUsed = (plan: PlanNode[]) => plan.map((n) => n['Index Name']).filter(Boolean);

describe(title, () => {
  beforeAll(async () => {
    if (!onPostgres) return;
    database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
    db = database.db;
    const started = Date.now();
    await db.transaction().execute(async (trx) => {
      // A bulk load: the journal's row triggers (balance and hash-chain checks, foreign keys) are for the money
      // paths, not for test data; the secondary indexes are built once after the load rather than row by row.
      await sql`set local session_replication_role = replica`.execute(trx);
      const { rows: indexes } = await sql<{ name: string; def: string }>`
        select i.indexname as name, i.indexdef as def from pg_indexes i
        where i.schemaname = current_schema() and i.tablename in ('operations', 'postings')
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(trx);
      for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
      await sql`insert into products (code, name) values ('meals', 'Питание')`.execute(trx);
      await sql`insert into merchants (code, name) select 'm-' || i, 'Точка ' || i from generate_series(1, 50) i`.execute(trx);
      // Names from syllables: ~8,000 distinct surnames, as many first-name/patronymic pairs; one client to look for.
      await sql`
        insert into clients (full_name, phone)
        select initcap(s[1 + i % 20] || s[1 + (i / 20) % 20] || s[1 + (i / 400) % 20] || 'ов') || ' ' || f[1 + (i / 7) % 12] || ' ' || f[1 + (i / 13) % 12] || 'ович',
               '+7900' || lpad(i::text, 7, '0')
        from generate_series(1, ${CLIENTS - 1}) i,
             (select array['ба','ве','го','ду','же','зи','ко','ла','ми','но','па','ре','са','ту','фе','ха','це','ча','ша','ю'] as s,
                     array['Иван','Пётр','Олег','Игорь','Денис','Павел','Роман','Семён','Антон','Борис','Глеб','Лев'] as f) x`.execute(trx);
      await sql`insert into clients (full_name, phone) values ('Черномырдин Виктор Степанович', '+79161112233')`.execute(trx);
      await sql`insert into accounts (number, client_id) select lpad((row_number() over (order by id))::text, 10, '0'), id from clients`.execute(trx);
      await sql`insert into wallets (account_id, product_code) select id, 'meals' from accounts`.execute(trx);
      await sql`insert into identifiers (account_id, kind, value) select id, 'card_uid', upper(substr(md5(number), 1, 14)) from accounts`.execute(trx);
      await sql`create temp table mm on commit drop as select row_number() over (order by code) as n, id from merchants`.execute(trx);
      await sql`
        create temp table w on commit drop as
        select row_number() over (order by w.id) as n, w.id as wallet_id, w.account_id from wallets w`.execute(trx);
      // A million operations over 35 days, credits and purchases, each with its wallet posting.
      await sql`
        insert into operations (type, account_id, merchant_id, amount, created_at, created_by)
        select case when i % 5 = 0 then 'credit' else 'purchase' end, w.account_id,
               mm.id,
               100 + i % 10000, now() - make_interval(secs => (${OPERATIONS} - i) * 3), 'bulk'
        from generate_series(1, ${OPERATIONS}) i join w on w.n = 1 + i % ${CLIENTS} left join mm on mm.n = 1 + i % 50 and i % 5 <> 0`.execute(trx);
      await sql`
        insert into postings (operation_id, wallet_id, product_code, amount)
        select o.id, w.id, 'meals', case when o.type = 'credit' then o.amount else -o.amount end
        from operations o join wallets w on w.account_id = o.account_id`.execute(trx);
      times.insert = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
      for (const index of indexes) await sql.raw(index.def).execute(trx);
    });
    // As autovacuum leaves a live table: statistics, and the GIN index's pending list merged into the index.
    await sql`vacuum analyze`.execute(db);
    times.load = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  }, 240_000);
  afterAll(async () => {
    if (onPostgres) console.log('workplace.plan timings', JSON.stringify(times, null, 1));
    await database?.close();
  });

  it.skipIf(!onPostgres)('the operations journal: the first page, a type and period, an account, a page deep in the table — each an index range that stops at limit + 1', async () => {
    const first = await explain(journalQuery({ limit: 50 }).compile(db));
    expect(indexesUsed(first.plan)).toContain('operations_journal');
    expectBounded(first.plan, 51);
    await timed('journal, first page', () => explain(journalQuery({ limit: 50 }).compile(db)));

    const period = { limit: 50, type: 'credit', from: new Date(Date.now() - 20 * 86_400_000).toISOString(), to: new Date(Date.now() - 10 * 86_400_000).toISOString() };
    const byType = await explain(journalQuery(period).compile(db));
    expect(indexesUsed(byType.plan)).toContain('operations_type_journal');
    expectBounded(byType.plan, 51);
    await timed('journal, type + period', () => explain(journalQuery(period).compile(db)));

    const { id: accountId } = await db.selectFrom('accounts').select('id').where('number', '=', '0000000777').executeTakeFirstOrThrow();
    const byAccount = await explain(journalQuery({ limit: 20, accountId }).compile(db));
    expect(indexesUsed(byAccount.plan)).toContain('operations_account_journal');
    expectBounded(byAccount.plan, 21);

    // Page 10,000 of 50: the cursor is a row half-way down the table; the page still costs limit + 1 rows.
    const { seq } = await db.selectFrom('operations').select('seq').where('seq', '=', BigInt(OPERATIONS / 2)).executeTakeFirstOrThrow();
    const deep = await explain(journalQuery({ limit: 50, cursor: String(seq) }).compile(db));
    expect(indexesUsed(deep.plan)).toEqual(expect.arrayContaining(['operations_journal', 'operations_seq_key']));
    expectBounded(deep.plan, 51);
    await timed('journal, page at row 500,000', () => explain(journalQuery({ limit: 50, cursor: String(seq) }).compile(db)));
  });

  it.skipIf(!onPostgres)("an account's statement reads that account's postings only (about 50 of the million), by index", async () => {
    const { id } = await db.selectFrom('accounts').select('id').where('number', '=', '0000012345').executeTakeFirstOrThrow();
    const statement = await explain(statementQuery(db, id, { limit: 20, offset: 0 }).compile());
    expect(indexesUsed(statement.plan)).toEqual(expect.arrayContaining(['postings_wallet']));
    expectBounded(statement.plan, 200);
    await timed('statement, first page', () => explain(statementQuery(db, id, { limit: 20, offset: 0 }).compile()));
  });

  it.skipIf(!onPostgres)('the client search finds a misspelt name through the trigram index, not a scan of 20,000 clients', async () => {
    const rows = await withNameSimilarity(db, (trx) => clientSearchQuery('Черномырдн Виктор', { limit: 20, offset: 0 }).execute(trx));
    expect(rows.rows[0]).toMatchObject({ full_name: 'Черномырдин Виктор Степанович' });
    const search = await withNameSimilarity(db, (trx) => explain(clientSearchQuery('Черномырдн Виктор', { limit: 20, offset: 0 }).compile(trx), trx));
    expect(indexesUsed(search.plan), JSON.stringify(search.plan.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']]))).toContain('clients_full_name_trgm');
    expect(search.plan.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual([]);
    await timed('client search, misspelt name', () => withNameSimilarity(db, (trx) => explain(clientSearchQuery('Черномырдн Виктор', { limit: 20, offset: 0 }).compile(trx), trx)));
    // The exact ways in use their own indexes.
    const byPhone = await withNameSimilarity(db, (trx) => explain(clientSearchQuery('+79161112233', { limit: 20, offset: 0 }).compile(trx), trx));
    expect(indexesUsed(byPhone.plan)).toEqual(expect.arrayContaining(['clients_phone', 'accounts_number_key', 'identifiers_active_value_any_kind']));
    expect(byPhone.plan.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual([]);
  });
});
