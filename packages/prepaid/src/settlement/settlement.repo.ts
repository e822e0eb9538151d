import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { SettlementDb, SettlementKind, SettlementTables } from '../tables.js';
import { maskIdentifier, type SettlementLine } from './format.js';

/** SQL of settlement: the registry's lines, the ledger's sums for the same party and period, the registry rows. */
export type Db = Kysely<SettlementDb>;
export type RegistryRow = Selectable<SettlementTables['settlement_registries']>;

export interface Party {
  kind: SettlementKind;
  id: string;
  code: string;
  name: string;
}

export interface Period {
  from: Date;
  to: Date;
}

/** The operations that settle with a party: a merchant's own, or those of every merchant of a provider. */
const RETURN_TYPES = ['refund', 'reversal'] as const;

function merchantsOf(party: Pick<Party, 'kind' | 'id'>): RawBuilder<unknown> {
  return party.kind === 'merchant' ? sql`select ${party.id}::uuid` : sql`select id from merchants where provider_id = ${party.id}::uuid`;
}

export async function findParty(db: Db, kind: SettlementKind, id: string): Promise<Party | undefined> {
  const table = kind === 'merchant' ? 'merchants' : 'service_providers';
  const row = await db.selectFrom(table).select(['id', 'code', 'name']).where('id', '=', id).executeTakeFirst();
  return row && { kind, ...row };
}

/**
 * One page of the registry's lines, after (seq, product) `after`: each product of each purchase, refund
 * and reversal, its amount from the wallet side of the operation's postings (what left the client's
 * wallet is positive, what came back negative).
 */
export async function linesPage(db: Db, party: Party, period: Period, after: { seq: bigint; product: string } | null, limit: number): Promise<SettlementLine[]> {
  const { rows } = await sql<{
    id: string;
    seq: bigint;
    type: SettlementLine['type'];
    created_at: Date;
    original_operation_id: string | null;
    merchant_code: string;
    terminal_code: string | null;
    identifier: string | null;
    account_number: string | null;
    product_code: string;
    amount: bigint;
  }>`
    select o.id, o.seq, o.type, o.created_at, o.original_operation_id, m.code as merchant_code, t.code as terminal_code,
      o.details->>'identifier' as identifier, a.number as account_number, p.product_code, -sum(p.amount) as amount
    from operations o
    join merchants m on m.id = o.merchant_id
    join postings p on p.operation_id = o.id and p.wallet_id is not null
    left join terminals t on t.id::text = o.terminal_id
    left join accounts a on a.id = o.account_id
    where o.merchant_id in (${merchantsOf(party)})
      and o.type in ('purchase', 'refund', 'reversal')
      and o.created_at >= ${period.from}::timestamptz and o.created_at < ${period.to}::timestamptz
      and (${after === null} or (o.seq, p.product_code) > (${after?.seq ?? 0n}::bigint, ${after?.product ?? ''}::text))
    group by o.id, m.code, t.code, a.number, p.product_code
    order by o.seq, p.product_code
    limit ${limit}`.execute(db);
  return rows.map((r) => ({
    operationId: r.id,
    seq: BigInt(r.seq),
    type: r.type,
    createdAt: r.created_at,
    originalOperationId: r.original_operation_id,
    merchantCode: r.merchant_code,
    terminalCode: r.terminal_code,
    identifier: maskIdentifier(r.identifier),
    accountNumber: r.account_number,
    product: r.product_code,
    amount: BigInt(r.amount),
  }));
}

/**
 * The other side of the same operations: what the party's ledger accounts received (net) per product,
 * over every operation of its merchants in the period, whatever its type. Equal to the lines' sums when
 * the journal is sound (I1: each operation's postings sum to zero).
 */
export async function ledgerSums(db: Db, party: Party, period: Period): Promise<Map<string, bigint>> {
  const { rows } = await sql<{ product_code: string; amount: bigint }>`
    select p.product_code, sum(p.amount) as amount
    from operations o
    join postings p on p.operation_id = o.id
    join ledger_accounts la on la.id = p.ledger_account_id and la.kind = 'merchant'
    where o.merchant_id in (${merchantsOf(party)})
      and la.merchant_id = o.merchant_id
      and o.created_at >= ${period.from}::timestamptz and o.created_at < ${period.to}::timestamptz
    group by p.product_code`.execute(db);
  return new Map(rows.map((r) => [r.product_code, BigInt(r.amount)]));
}

/** The operations' own amounts (purchases minus returns) and their number: a third view of the same money. */
export async function operationSums(db: Db, party: Party, period: Period): Promise<{ net: bigint; count: number }> {
  const { rows } = await sql<{ net: bigint | null; count: number }>`
    select sum(case when o.type = 'purchase' then o.amount else -o.amount end) as net, count(*)::int as count
    from operations o
    where o.merchant_id in (${merchantsOf(party)})
      and o.type in ('purchase', ${sql.join(RETURN_TYPES.map((t) => sql`${t}`))})
      and o.created_at >= ${period.from}::timestamptz and o.created_at < ${period.to}::timestamptz`.execute(db);
  return { net: BigInt(rows[0]?.net ?? 0n), count: Number(rows[0]?.count ?? 0) };
}

/**
 * Who gets a registry for a period: merchants that are active or had operations in it (a merchant
 * blocked today is still paid for yesterday), and providers with at least one merchant.
 */
export async function partiesFor(db: Db, period: Period): Promise<Party[]> {
  const merchants = await sql<{ id: string; code: string; name: string }>`
    select m.id, m.code, m.name from merchants m
    where m.status = 'active' or exists (
      select 1 from operations o where o.merchant_id = m.id and o.created_at >= ${period.from}::timestamptz and o.created_at < ${period.to}::timestamptz)
    order by m.code`.execute(db);
  const providers = await sql<{ id: string; code: string; name: string }>`
    select s.id, s.code, s.name from service_providers s where exists (select 1 from merchants m where m.provider_id = s.id) order by s.code`.execute(db);
  return [...merchants.rows.map((r) => ({ kind: 'merchant' as const, ...r })), ...providers.rows.map((r) => ({ kind: 'provider' as const, ...r }))];
}

export async function findRegistry(db: Db, id: string): Promise<RegistryRow | undefined> {
  return db.selectFrom('settlement_registries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByPeriod(db: Db, party: Pick<Party, 'kind' | 'id'>, period: Period): Promise<RegistryRow | undefined> {
  return db
    .selectFrom('settlement_registries')
    .selectAll()
    .where('kind', '=', party.kind)
    .where('party_id', '=', party.id)
    .where('period_from', '=', period.from)
    .where('period_to', '=', period.to)
    .executeTakeFirst();
}

/** Stores a registry unless one of the same party and period exists; undefined then (the caller reads that one). */
export async function insertRegistry(db: Db, row: Insertable<SettlementTables['settlement_registries']>): Promise<RegistryRow | undefined> {
  return db
    .insertInto('settlement_registries')
    .values(row)
    .onConflict((oc) => oc.columns(['kind', 'party_id', 'period_from', 'period_to']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export interface RegistryQuery {
  kind?: SettlementKind | undefined;
  partyId?: string | undefined;
  /** Registries whose period starts at or after `from` and ends at or before `to`. */
  from?: Date | undefined;
  to?: Date | undefined;
  offset?: number | undefined;
  limit?: number | undefined;
}

export async function listRegistries(db: Db, q: RegistryQuery): Promise<{ rows: RegistryRow[]; total: number }> {
  let base = db.selectFrom('settlement_registries');
  if (q.kind) base = base.where('kind', '=', q.kind);
  if (q.partyId) base = base.where('party_id', '=', q.partyId);
  if (q.from) base = base.where('period_from', '>=', q.from);
  if (q.to) base = base.where('period_to', '<=', q.to);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('period_from', 'desc').orderBy('kind').orderBy('party_code').offset(q.offset ?? 0).limit(q.limit ?? 50).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}
