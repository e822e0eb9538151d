import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from './registry.repo.js';
import { correctionAllowed, creditCounterAssignments, creditWithinLimits } from '../ledger/credit.sql.js';

/**
 * Credits and corrections of a registry, many lines per SQL statement (DESIGN §4: the database is
 * fast when work is grouped). Each line is still its own ledger operation, with the postings, the
 * idempotency record and the line's result written by the same statement, so a line is either wholly
 * applied or not at all, and a restart never applies it twice:
 *
 * - the idempotency key is `registry:<registry id>:<line id>` and the stored request digest is the one
 *   Ledger.credit / Ledger.correct computes for the same request, so the ledger's own path, asked the
 *   same thing under the same key, replays this operation instead of making a second one;
 * - the money rules are those of ledger.repo.ts (creditWallet with limits; adjustWallet for corrections)
 *   in one conditional UPDATE: a line whose wallet refuses is simply not in the result, and is then
 *   re-run on the ledger's explaining path, which declines it with its stable code (or replays it).
 * Keep the UPDATE's conditions in step with ledger.repo.ts; registries.test.ts compares both paths.
 */
export interface CreditWork {
  lineNo: number;
  lineId: string;
  action: 'credit' | 'correction';
  accountId: string;
  product: string;
  amount: bigint;
  walletId: bigint;
  comment: string | null;
  plannedDate: string | null;
}

export const ledgerKey = (registryId: string, lineId: string) => `registry:${registryId}:${lineId}`;

/** The reason of a registry correction: the line's comment, or where it came from. */
export const correctionReason = (registryNumber: string, w: Pick<CreditWork, 'lineId' | 'comment'>) => w.comment ?? `Registry ${registryNumber}, line ${w.lineId}`;

/** The digest Ledger.run stores for the same request (kind, then the request as JSON with bigints as strings). */
export function ledgerRequestHash(kind: 'credit' | 'correction', request: Record<string, unknown>): string {
  return createHash('sha256')
    .update(kind)
    .update(JSON.stringify(request, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
    .digest('hex');
}

/** The request exactly as the ledger call for this line would be made (same fields, same order). */
export function ledgerRequest(registryId: string, registryNumber: string, createdBy: string, w: CreditWork) {
  const key = ledgerKey(registryId, w.lineId);
  return w.action === 'credit'
    ? { key, accountId: w.accountId, product: w.product, amount: w.amount, createdBy }
    : { key, accountId: w.accountId, product: w.product, amount: w.amount, reason: correctionReason(registryNumber, w), createdBy };
}


/**
 * Applies lines whose wallets are all different (a wallet named twice in one UPDATE would be changed
 * once); the line numbers applied, with the operation and the new balance.
 */
export async function applyCreditRound(
  trx: Tx,
  registry: { id: string; number: string },
  createdBy: string,
  work: CreditWork[],
): Promise<Map<number, { operationId: string; balance: bigint }>> {
  if (work.length === 0) return new Map();
  const col = <T>(f: (w: CreditWork) => T) => work.map(f);
  const statement = sql<{ line_no: number; op_id: string; balance: bigint }>`
    with req as (
      select * from unnest(${col((w) => w.lineNo)}::int[], ${col((w) => ledgerKey(registry.id, w.lineId))}::text[],
                           ${col((w) => ledgerRequestHash(w.action, ledgerRequest(registry.id, registry.number, createdBy, w)))}::text[],
                           ${col((w) => w.walletId.toString())}::bigint[], ${col((w) => w.accountId)}::uuid[], ${col((w) => w.product)}::text[],
                           ${col((w) => w.amount.toString())}::bigint[], ${col((w) => w.action)}::text[], ${col((w) => JSON.stringify(details(registry, w)))}::text[])
        as r(line_no, key, hash, wallet_id, account_id, product, amount, kind, details)
    ),
    target as (
      -- The journal sequence number is drawn here, in line order, so the idempotency record below can
      -- carry it without joining the inserted operations back (the planner, blind to a CTE's size,
      -- would join them row by row). A number drawn for a line the wallet then refuses is a gap, as
      -- after any rolled-back operation.
      select r.*, gen_random_uuid() as op_id, nextval(pg_get_serial_sequence('operations', 'seq')) as seq
      from (select * from req r where not exists (select 1 from idempotency_keys k where k.key = r.key) order by r.line_no) r
    ),
    moved as (
      update wallets w set
        balance = w.balance + t.amount,
        ${creditCounterAssignments(sql`t.amount`, sql`t.kind = 'credit'`)},
        updated_at = now()
      from target t, products p
      where w.id = t.wallet_id and w.account_id = t.account_id and w.product_code = t.product and p.code = w.product_code and not w.closed
        and case when t.kind = 'correction' then ${correctionAllowed(sql`t.amount`)}
          else t.amount > 0 and ${creditWithinLimits(sql`t.amount`)}
          end
      returning t.line_no, t.key, t.hash, t.op_id, t.seq, t.account_id, t.product, t.amount, t.kind, t.details, w.id as wallet_id, w.balance
    ),
    ops as (
      insert into operations (id, seq, type, account_id, amount, created_by, details)
      select m.op_id, m.seq, m.kind, m.account_id, abs(m.amount), ${createdBy}, m.details::jsonb from moved m
      returning 1
    ),
    posted as (
      insert into postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
      select m.op_id, m.wallet_id, null, m.product, m.amount from moved m
      union all
      select m.op_id, null, la.id, m.product, -m.amount from moved m
        join ledger_accounts la on la.kind = (case when m.kind = 'credit' then 'funding' else 'correction' end) and la.product_code = m.product and la.merchant_id is null
      returning 1
    ),
    remembered as (
      insert into idempotency_keys (key, request_hash, response, operation_id)
      select m.key, m.hash,
        jsonb_build_object('status', 'approved', 'operationId', m.op_id, 'seq', m.seq::text, 'type', m.kind, 'amount', abs(m.amount)::text,
          'balances', jsonb_build_array(jsonb_build_object('product', m.product, 'balance', m.balance::text))),
        m.op_id
      from moved m
      returning 1
    ),
    marked as (
      update registry_lines l set status = 'applied', operation_id = m.op_id,
        result = jsonb_build_object('operationId', m.op_id, 'balance', m.balance::text)
      from moved m where l.registry_id = ${registry.id}::uuid and l.line_no = m.line_no and l.status in ('valid', 'deferred')
      returning 1
    )
    select m.line_no, m.op_id, m.balance, (select count(*) from ops) as ops, (select count(*) from posted) as posted, (select count(*) from remembered) as remembered, (select count(*) from marked) as marked
    from moved m`.compile(trx);
  const { rows } = await trx.executeQuery(statement);
  return new Map(rows.map((r) => [Number(r.line_no), { operationId: r.op_id, balance: BigInt(r.balance) }]));
}

function details(registry: { id: string; number: string }, w: CreditWork): Record<string, unknown> {
  const source = { registryId: registry.id, registryNumber: registry.number, lineId: w.lineId, ...(w.plannedDate ? { plannedDate: w.plannedDate } : {}) };
  return w.action === 'credit' ? source : { reason: correctionReason(registry.number, w), signedAmount: w.amount.toString(), ...source };
}
