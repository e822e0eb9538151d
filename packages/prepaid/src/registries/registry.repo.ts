import { sql, type Kysely, type Transaction } from 'kysely';
import type { RegistriesDb, RegistryKind, RegistryLineStatus } from '../tables.js';

/** SQL of registries: the registry row, its lines, and the set-based checks run when a file has been read. */
export type Db = Kysely<RegistriesDb>;
export type Tx = Transaction<RegistriesDb> | Kysely<RegistriesDb>;

export interface NewLine {
  lineNo: number;
  key: string | null;
  action: string | null;
  data: Record<string, unknown>;
  product: string | null;
  amount: bigint | null;
  plannedDate: string | null;
  status: Extract<RegistryLineStatus, 'valid' | 'invalid'>;
  errorCode: string | null;
  errorMessage: string | null;
}

/** One multi-row INSERT per batch, one array parameter per column: one round trip and one plan for a thousand lines. */
export async function insertLines(db: Tx, registryId: string, lines: NewLine[]) {
  if (lines.length === 0) return;
  const col = <T>(f: (l: NewLine) => T) => lines.map(f);
  await sql`
    insert into registry_lines (registry_id, line_no, line_key, action, data, product_code, amount, planned_date, status, error_code, error_message)
    select ${registryId}::uuid, r.* from unnest(
      ${col((l) => l.lineNo)}::int[], ${col((l) => l.key)}::text[], ${col((l) => l.action)}::text[],
      ${col((l) => JSON.stringify(l.data))}::jsonb[], ${col((l) => l.product)}::text[],
      ${col((l) => (l.amount === null ? null : l.amount.toString()))}::bigint[], ${col((l) => l.plannedDate)}::date[],
      ${col((l) => l.status)}::text[], ${col((l) => l.errorCode)}::text[], ${col((l) => l.errorMessage)}::text[]) as r`.execute(db);
}

/** An earlier registry this file repeats: by content first (the surest sign), then by kind and number. */
export async function findEarlier(db: Tx, kind: RegistryKind, number: string, sha256: string) {
  const rows = await db
    .selectFrom('registries')
    .select(['id', 'kind', 'number', 'content_sha256', 'status', 'updated_at'])
    .where('status', '<>', 'rejected')
    .where((eb) => eb.or([eb('content_sha256', '=', sha256), eb.and([eb('kind', '=', kind), eb('number', '=', number)])]))
    .execute();
  return rows.find((r) => r.content_sha256 === sha256) ?? rows[0];
}

const mark = (code: string, message: ReturnType<typeof sql>) => sql`status = 'invalid', error_code = ${code}, error_message = ${message}`;

/** Line checks that need the database, for every line at once; what they refuse becomes `invalid` with a code. */
export async function validateCredits(db: Tx, registryId: string) {
  await markDuplicates(db, registryId, 'line_id');
  await sql`
    update registry_lines l set ${mark('unknown_product', sql`'there is no product "' || l.product_code || '"'`)}
    where l.registry_id = ${registryId} and l.status = 'valid' and not exists (select 1 from products p where p.code = l.product_code)`.execute(db);
  // By account number (it wins over client_id; when both are given they must agree).
  await sql`
    update registry_lines l set
      account_id = a.id, client_id = a.client_id,
      status = case when a.id is null or a.status = 'closed' or (l2.data->>'clientId' is not null and c.external_id is distinct from l2.data->>'clientId') then 'invalid' else 'valid' end,
      error_code = case when a.id is null then 'account_not_found' when a.status = 'closed' then 'account_closed'
                        when l2.data->>'clientId' is not null and c.external_id is distinct from l2.data->>'clientId' then 'account_client_mismatch' end,
      error_message = case when a.id is null then 'no account ' || (l2.data->>'accountNumber') when a.status = 'closed' then 'account ' || a.number || ' is closed'
                        when l2.data->>'clientId' is not null and c.external_id is distinct from l2.data->>'clientId' then 'account ' || a.number || ' does not belong to client ' || (l2.data->>'clientId') end
    from registry_lines l2 left join accounts a on a.number = l2.data->>'accountNumber' left join clients c on c.id = a.client_id
    where l.registry_id = ${registryId} and l2.registry_id = l.registry_id and l2.line_no = l.line_no
      and l2.status = 'valid' and l2.data->>'accountNumber' is not null`.execute(db);
  // By the client's external id: its one account that is not closed.
  await sql`
    with cand as (
      select l.line_no, c.id as client_id, c.status as client_status, count(a.id) as accounts, (array_agg(a.id order by a.created_at))[1] as account_id
      from registry_lines l
      left join clients c on c.external_id = l.data->>'clientId'
      left join accounts a on a.client_id = c.id and a.status <> 'closed'
      where l.registry_id = ${registryId} and l.status = 'valid' and l.data->>'accountNumber' is null
      group by l.line_no, c.id, c.status)
    update registry_lines l set
      client_id = cand.client_id,
      account_id = case when cand.accounts = 1 then cand.account_id end,
      status = case when cand.client_id is not null and cand.client_status = 'active' and cand.accounts = 1 then 'valid' else 'invalid' end,
      error_code = case when cand.client_id is null then 'client_not_found' when cand.client_status <> 'active' then 'client_deleted'
                        when cand.accounts = 0 then 'account_not_found' when cand.accounts > 1 then 'account_ambiguous' end,
      error_message = case when cand.client_id is null then 'no client ' || (l.data->>'clientId') when cand.client_status <> 'active' then 'client ' || (l.data->>'clientId') || ' is deleted'
                        when cand.accounts = 0 then 'client ' || (l.data->>'clientId') || ' has no open account'
                        when cand.accounts > 1 then 'client ' || (l.data->>'clientId') || ' has ' || cand.accounts || ' accounts: name the account_number' end
    from cand where l.registry_id = ${registryId} and l.line_no = cand.line_no`.execute(db);
}

export async function validateClients(db: Tx, registryId: string) {
  await markDuplicates(db, registryId, 'client_id');
  await sql`
    update registry_lines l set client_id = c.id
    from clients c where l.registry_id = ${registryId} and l.status = 'valid' and c.external_id = l.line_key`.execute(db);
  await sql`
    update registry_lines l set ${mark('client_exists', sql`'client ' || l.line_key || ' already exists'`)}
    where l.registry_id = ${registryId} and l.status = 'valid' and l.action = 'create' and l.client_id is not null`.execute(db);
  await sql`
    update registry_lines l set ${mark('client_not_found', sql`'no client ' || l.line_key`)}
    where l.registry_id = ${registryId} and l.status = 'valid' and l.action in ('update', 'delete') and l.client_id is null`.execute(db);
  await sql`
    update registry_lines l set ${mark('client_deleted', sql`'client ' || l.line_key || ' is deleted'`)}
    from clients c where l.registry_id = ${registryId} and l.status = 'valid' and l.action in ('update', 'delete') and c.id = l.client_id and c.status = 'deleted'`.execute(db);
  await sql`
    update registry_lines l set ${mark('unknown_product', sql`'there is no product "' || x.code || '"'`)}
    from (select l2.line_no, min(p.code) as code from registry_lines l2 cross join lateral jsonb_array_elements_text(l2.data->'products') as p(code)
          where l2.registry_id = ${registryId} and l2.status = 'valid' and not exists (select 1 from products pr where pr.code = p.code) group by l2.line_no) x
    where l.registry_id = ${registryId} and l.line_no = x.line_no`.execute(db);
  await sql`
    update registry_lines l set ${mark('account_exists', sql`'account ' || (l.data->>'accountNumber') || ' already exists'`)}
    from accounts a where l.registry_id = ${registryId} and l.status = 'valid' and a.number = l.data->>'accountNumber'`.execute(db);
  await sql`
    update registry_lines l set ${mark('identifier_stop_listed', sql`x.kind || ' ' || x.value || ' is on the stop-list'`)}
    from (select distinct on (l2.line_no) l2.line_no, i.kind, i.value from registry_lines l2
          cross join lateral jsonb_to_recordset(l2.data->'identifiers') as i(kind text, value text)
          join stop_list s on s.kind = i.kind and s.value = i.value
          where l2.registry_id = ${registryId} and l2.status = 'valid' order by l2.line_no) x
    where l.registry_id = ${registryId} and l.line_no = x.line_no`.execute(db);
  await sql`
    update registry_lines l set ${mark('identifier_in_use', sql`x.kind || ' ' || x.value || ' is bound to another account'`)}
    from (select distinct on (l2.line_no) l2.line_no, i.kind, i.value from registry_lines l2
          cross join lateral jsonb_to_recordset(l2.data->'identifiers') as i(kind text, value text)
          join identifiers b on b.kind = i.kind and b.value = i.value and b.status = 'active'
          join accounts a on a.id = b.account_id
          where l2.registry_id = ${registryId} and l2.status = 'valid' and a.client_id is distinct from l2.client_id order by l2.line_no) x
    where l.registry_id = ${registryId} and l.line_no = x.line_no`.execute(db);
  await sql`
    update registry_lines l set ${mark('client_has_balance', sql`'client ' || l.line_key || ' still has money on account ' || x.number`)}
    from (select distinct on (l2.line_no) l2.line_no, a.number from registry_lines l2
          join accounts a on a.client_id = l2.client_id and a.status <> 'closed' join wallets w on w.account_id = a.id and w.balance <> 0
          where l2.registry_id = ${registryId} and l2.status = 'valid' and l2.action = 'delete' order by l2.line_no) x
    where l.registry_id = ${registryId} and l.line_no = x.line_no`.execute(db);
}

/** A second line with the key of an earlier one (valid or not) is a duplicate; the first keeps its own result. */
async function markDuplicates(db: Tx, registryId: string, column: string) {
  await sql`
    update registry_lines l set ${mark('duplicate_line', sql`${`${column} `}::text || l.line_key || ' already appears on line ' || d.first`)}
    from (select line_key, min(line_no) as first from registry_lines where registry_id = ${registryId} and line_key is not null
          group by line_key having count(*) > 1) d
    where l.registry_id = ${registryId} and l.line_key = d.line_key and l.line_no > d.first and l.status = 'valid'`.execute(db);
}

/** Exact line counters from the lines themselves (the per-batch increments are for progress only). */
export async function recount(db: Tx, registryId: string) {
  const { rows } = await sql<{ status: RegistryLineStatus; n: number }>`
    select status, count(*)::int as n from registry_lines where registry_id = ${registryId} group by status`.execute(db);
  const n = (s: RegistryLineStatus) => rows.find((r) => r.status === s)?.n ?? 0;
  const counters = {
    lines_total: rows.reduce((s, r) => s + r.n, 0),
    lines_invalid: n('invalid'),
    lines_applied: n('applied'),
    lines_failed: n('failed'),
    lines_skipped: n('skipped'),
    lines_deferred: n('deferred'),
  };
  await db.updateTable('registries').set({ ...counters, updated_at: new Date() }).where('id', '=', registryId).execute();
  return { ...counters, valid: n('valid') };
}
