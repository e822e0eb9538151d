import { sql, type Kysely, type Transaction } from 'kysely';
import type { OperationType, PrepaidDb } from '../tables.js';
import { dayDebitNow, debitAllowed, debitAssignments, monthDebitNow, offlineDebitAllowed, velocityAllowed, velocityAssignments } from './debit.sql.js';
import { correctionAllowed, creditCounterAssignments, creditWithinLimits, dayCreditNow, monthCreditNow } from './credit.sql.js';
import { stricter, type VelocityUsage, type WalletState } from './limits.js';
import type { PostingDraft } from './postings.js';

/**
 * SQL of the ledger. The money rules that must hold under concurrency live in the statements
 * themselves: a debit is one conditional UPDATE (balance, minimum, per-operation, daily and monthly
 * limits, account open) on the wallet row — the only row the purchase path locks.
 */
export type Tx = Transaction<PrepaidDb> | Kysely<PrepaidDb>;

/**
 * Debits a wallet if every rule allows it; the new balance, or null when refused (nothing changed).
 * `velocity`: a purchase or a hold — the velocity rules apply too (per identifier when it names one) and the
 * debit joins the wallet's recent debits. Other debits (a transfer out) are not uses at a till.
 */
export async function debitWallet(trx: Tx, walletId: bigint, amount: bigint, velocity?: { identifierId: string | null }): Promise<bigint | null> {
  const identifier = velocity?.identifierId ?? null;
  const { rows } = await sql<{ balance: bigint }>`
    update wallets w set ${debitAssignments(amount)}${velocity ? sql`, ${velocityAssignments(amount, identifier)}` : sql``}
    from products p, accounts a
    where w.id = ${walletId} and p.code = w.product_code and a.id = w.account_id and a.status = 'open'
      and ${debitAllowed(amount)}${velocity ? sql` and ${velocityAllowed(amount, identifier)}` : sql``}
    returning w.balance`.execute(trx);
  return rows[0]?.balance ?? null;
}

/**
 * Takes the completed amount of a hold from its wallet, the hold's own amount having just been given back in
 * the same transaction: the hold was judged by every rule when it was made, so only the minimum balance (a
 * CHECK) and a closed wallet refuse — not a limit of a later day, not an account blocked since, not velocity.
 */
export async function captureWallet(trx: Tx, walletId: bigint, amount: bigint): Promise<bigint | null> {
  const { rows } = await sql<{ balance: bigint }>`
    update wallets w set ${debitAssignments(amount)}
    where w.id = ${walletId} and ${offlineDebitAllowed(amount)}
    returning w.balance`.execute(trx);
  return rows[0]?.balance ?? null;
}

/** The wallet's velocity rules with what its recent debits (and those of `identifierId`) already used of each. */
export async function velocityUsage(trx: Tx, walletId: bigint, identifierId: string | null): Promise<VelocityUsage[]> {
  const { rows } = await sql<{ scope: VelocityUsage['scope']; window_seconds: number; max_count: number | null; max_amount: bigint | null; used_count: number; used_amount: bigint }>`
    with rules as (
      select 'wallet' as scope, p.velocity_window_seconds as window_seconds, p.velocity_count as max_count, p.velocity_amount as max_amount, null::uuid as identifier, w.recent_at, w.recent_amount, w.recent_identifier
      from wallets w join products p on p.code = w.product_code where w.id = ${walletId}
      union all
      select 'wallet', w.velocity_window_seconds, w.velocity_count, w.velocity_amount, null, w.recent_at, w.recent_amount, w.recent_identifier from wallets w where w.id = ${walletId}
      union all
      select 'identifier', p.identifier_velocity_window_seconds, p.identifier_velocity_count, p.identifier_velocity_amount, ${identifierId}::uuid, w.recent_at, w.recent_amount, w.recent_identifier
      from wallets w join products p on p.code = w.product_code where w.id = ${walletId} and ${identifierId}::uuid is not null
    )
    select r.scope, r.window_seconds, r.max_count, r.max_amount, u.used_count, u.used_amount
    from rules r cross join lateral (
      select count(*)::int as used_count, coalesce(sum(a), 0)::bigint as used_amount from unnest(r.recent_at, r.recent_amount, r.recent_identifier) as e(t, a, i)
      where e.t > now() - make_interval(secs => r.window_seconds) and (r.identifier is null or e.i = r.identifier)) u
    where r.window_seconds is not null`.execute(trx);
  return rows.map((r) => ({
    scope: r.scope,
    windowSeconds: Number(r.window_seconds),
    maxCount: r.max_count === null ? null : Number(r.max_count),
    maxAmount: r.max_amount === null ? null : BigInt(r.max_amount),
    usedCount: Number(r.used_count),
    usedAmount: BigInt(r.used_amount),
  }));
}

/** Debits a wallet for an uploaded offline purchase: only the minimum balance and an open account refuse (debit.sql.ts). */
export async function debitWalletOffline(trx: Tx, walletId: bigint, amount: bigint): Promise<bigint | null> {
  const { rows } = await sql<{ balance: bigint }>`
    update wallets w set ${debitAssignments(amount)}
    from accounts a
    where w.id = ${walletId} and a.id = w.account_id and a.status = 'open'
      and ${offlineDebitAllowed(amount)}
    returning w.balance`.execute(trx);
  return rows[0]?.balance ?? null;
}

/**
 * Credits a wallet; null (nothing changed) when it is closed or a limit refuses. `limits`: new money
 * (a credit, the receiving side of a transfer) — the maximum balance and the credit limits apply, and
 * the amount counts towards today's and this month's credit totals. Without it (money going back from
 * a merchant) no limit applies, and `undoDebitOf` gives the purchase's amount back to the debit totals
 * of the day and month it was made in.
 */
export async function creditWallet(trx: Tx, walletId: bigint, amount: bigint, options: { limits: boolean; undoDebitOf?: string }): Promise<bigint | null> {
  const undo = options.undoDebitOf ?? null;
  const limits = options.limits;
  const { rows } = await sql<{ balance: bigint }>`
    with original as (select created_at::date as day, date_trunc('month', created_at)::date as month from operations where id = ${undo}::uuid)
    update wallets w set
      balance = w.balance + ${amount},
      day_debit = case when w.debit_day = (select day from original) then greatest(w.day_debit - ${amount}, 0) else w.day_debit end,
      month_debit = case when w.debit_month = (select month from original) then greatest(w.month_debit - ${amount}, 0) else w.month_debit end,
      ${creditCounterAssignments(amount, limits)},
      updated_at = now()
    from products p
    where w.id = ${walletId} and p.code = w.product_code and not w.closed
      and (not ${limits} or (${creditWithinLimits(amount)}))
    returning w.balance`.execute(trx);
  return rows[0]?.balance ?? null;
}

export interface WalletRow {
  id: bigint;
  accountId: string;
  product: string;
  balance: bigint;
}

export async function findWallet(trx: Tx, accountId: string, product: string): Promise<WalletRow | undefined> {
  const row = await trx
    .selectFrom('wallets')
    .select(['id', 'account_id', 'product_code', 'balance'])
    .where('account_id', '=', accountId)
    .where('product_code', '=', product)
    .executeTakeFirst();
  return row && { id: row.id, accountId: row.account_id, product: row.product_code, balance: row.balance };
}

export async function walletsOfAccount(trx: Tx, accountId: string): Promise<WalletRow[]> {
  const rows = await trx.selectFrom('wallets').select(['id', 'account_id', 'product_code', 'balance']).where('account_id', '=', accountId).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, product: r.product_code, balance: r.balance }));
}

/**
 * The wallet's state with effective limits and today's totals, to explain a refused UPDATE; with `velocity`,
 * also its velocity rules and what is used of them (a purchase's or hold's debit).
 */
export async function walletState(trx: Tx, walletId: bigint, velocity?: { identifierId: string | null }): Promise<WalletState> {
  const { rows } = await sql<{
    product: string;
    account_status: WalletState['accountStatus'];
    balance: bigint;
    min_balance: bigint;
    w_max: bigint | null;
    p_max: bigint | null;
    w_op: bigint | null;
    p_op: bigint | null;
    w_day: bigint | null;
    p_day: bigint | null;
    w_month: bigint | null;
    p_month: bigint | null;
    w_cop: bigint | null;
    p_cop: bigint | null;
    w_cday: bigint | null;
    p_cday: bigint | null;
    w_cmonth: bigint | null;
    p_cmonth: bigint | null;
    day_debit: bigint;
    month_debit: bigint;
    day_credit: bigint;
    month_credit: bigint;
  }>`
    select w.product_code as product, a.status as account_status, w.balance, w.min_balance,
      w.max_balance as w_max, p.max_balance as p_max, w.per_operation_limit as w_op, p.per_operation_limit as p_op,
      w.daily_debit_limit as w_day, p.daily_debit_limit as p_day, w.monthly_debit_limit as w_month, p.monthly_debit_limit as p_month,
      w.credit_per_operation_limit as w_cop, p.credit_per_operation_limit as p_cop, w.daily_credit_limit as w_cday, p.daily_credit_limit as p_cday,
      w.monthly_credit_limit as w_cmonth, p.monthly_credit_limit as p_cmonth,
      ${dayDebitNow} as day_debit, ${monthDebitNow} as month_debit, ${dayCreditNow} as day_credit, ${monthCreditNow} as month_credit
    from wallets w join products p on p.code = w.product_code join accounts a on a.id = w.account_id
    where w.id = ${walletId}`.execute(trx);
  const r = rows[0]!;
  return {
    product: r.product,
    accountStatus: r.account_status,
    balance: r.balance,
    minBalance: r.min_balance,
    maxBalance: stricter(r.w_max, r.p_max),
    perOperationLimit: stricter(r.w_op, r.p_op),
    dailyDebitLimit: stricter(r.w_day, r.p_day),
    monthlyDebitLimit: stricter(r.w_month, r.p_month),
    creditPerOperationLimit: stricter(r.w_cop, r.p_cop),
    dailyCreditLimit: stricter(r.w_cday, r.p_cday),
    monthlyCreditLimit: stricter(r.w_cmonth, r.p_cmonth),
    dayDebit: BigInt(r.day_debit),
    monthDebit: BigInt(r.month_debit),
    dayCredit: BigInt(r.day_credit),
    monthCredit: BigInt(r.month_credit),
    velocity: velocity ? await velocityUsage(trx, walletId, velocity.identifierId) : [],
  };
}

/**
 * System ledger account ids never change once made, so a ledger remembers them. They are made in
 * their own autocommitted statement, never inside a money transaction that might roll back and leave
 * a remembered id pointing at nothing. One instance per database.
 */
export class SystemAccounts {
  private readonly ids = new Map<string, bigint>();
  constructor(private readonly db: Kysely<PrepaidDb>) {}

  private static key(kind: string, product: string, merchantId: string | null) {
    return `${kind}/${product}/${merchantId ?? ''}`;
  }

  /** The account's id; undefined for an unknown product or merchant (the use case declines those itself). */
  async ensure(kind: string, product: string, merchantId: string | null = null): Promise<bigint | undefined> {
    const key = SystemAccounts.key(kind, product, merchantId);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const { rows } = await sql<{ id: bigint }>`
      with made as (
        insert into ledger_accounts (kind, product_code, merchant_id)
        select ${kind}, p.code, ${merchantId}::uuid from products p
        where p.code = ${product} and (${merchantId}::uuid is null or exists (select 1 from merchants m where m.id = ${merchantId}::uuid))
        on conflict do nothing returning id)
      select id from made
      union all
      select id from ledger_accounts where kind = ${kind} and product_code = ${product} and merchant_id is not distinct from ${merchantId}::uuid`.execute(this.db);
    // Empty also when another instance made the account at the same moment: our INSERT waited for it and
    // skipped, and our SELECT's snapshot predates its commit. A new statement sees it.
    const id =
      rows[0]?.id ??
      (
        await this.db
          .selectFrom('ledger_accounts')
          .select('id')
          .where('kind', '=', kind)
          .where('product_code', '=', product)
          .where(sql<boolean>`merchant_id is not distinct from ${merchantId}::uuid`)
          .executeTakeFirst()
      )?.id;
    if (id !== undefined) this.ids.set(key, id);
    return id;
  }

  /** Makes sure every system account the drafts name exists; call before the money transaction. */
  async prepare(drafts: PostingDraft[]) {
    for (const d of drafts) {
      if ('merchant' in d.target) await this.ensure('merchant', d.product, d.target.merchant);
      else if ('system' in d.target) await this.ensure(d.target.system, d.product);
    }
  }

  idOf(draft: PostingDraft): bigint | null {
    const t = draft.target;
    if ('wallet' in t) return null;
    const id = 'merchant' in t ? this.ids.get(SystemAccounts.key('merchant', draft.product, t.merchant)) : this.ids.get(SystemAccounts.key(t.system, draft.product, null));
    if (id === undefined) throw new Error('system ledger account not prepared: call prepare() first');
    return id;
  }
}

export async function insertOperation(
  trx: Tx,
  op: {
    type: OperationType;
    accountId?: string | null;
    merchantId?: string | null;
    terminalId?: string | null;
    originalOperationId?: string | null;
    amount: bigint;
    createdBy?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<{ id: string; seq: bigint; createdAt: Date }> {
  const row = await trx
    .insertInto('operations')
    .values({
      type: op.type,
      account_id: op.accountId ?? null,
      merchant_id: op.merchantId ?? null,
      terminal_id: op.terminalId ?? null,
      original_operation_id: op.originalOperationId ?? null,
      amount: op.amount,
      created_by: op.createdBy ?? null,
      details: JSON.stringify(op.details ?? {}),
    })
    .returning(['id', 'seq', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, seq: row.seq, createdAt: row.created_at };
}

export async function insertPostings(trx: Tx, operationId: string, drafts: PostingDraft[], system: SystemAccounts) {
  await trx
    .insertInto('postings')
    .values(
      drafts.map((d) => ({
        operation_id: operationId,
        wallet_id: 'wallet' in d.target ? d.target.wallet : null,
        ledger_account_id: system.idOf(d),
        product_code: d.product,
        amount: d.amount,
      })),
    )
    .execute();
}

export async function findIdempotent(trx: Tx, key: string) {
  return trx.selectFrom('idempotency_keys').select(['request_hash', 'response']).where('key', '=', key).executeTakeFirst();
}

/** false when the key was taken meanwhile (a concurrent request with the same key committed first). */
export async function saveIdempotent(trx: Tx, key: string, requestHash: string, response: unknown, operationId: string | null) {
  const inserted = await trx
    .insertInto('idempotency_keys')
    .values({ key, request_hash: requestHash, response: JSON.stringify(response, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), operation_id: operationId })
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Staff correction: moves the balance by a signed delta with no limit but the minimum. */
export async function adjustWallet(trx: Tx, walletId: bigint, delta: bigint): Promise<bigint | null> {
  const { rows } = await sql<{ balance: bigint }>`
    update wallets w set balance = w.balance + ${delta}, updated_at = now()
    where w.id = ${walletId} and not w.closed and ${correctionAllowed(delta)}
    returning w.balance`.execute(trx);
  return rows[0]?.balance ?? null;
}

/**
 * Empties and closes every wallet of an account; the balances they held (the remainders to post).
 * The wallets are locked first, in id order like every multi-wallet path, so the remainder read is the
 * one zeroed: a debit or credit waiting on one of them then finds it closed and changes nothing.
 */
export async function closeWallets(trx: Tx, accountId: string): Promise<WalletRow[]> {
  const locked = await trx
    .selectFrom('wallets')
    .select(['id', 'account_id', 'product_code', 'balance'])
    .where('account_id', '=', accountId)
    .orderBy('id')
    .forUpdate()
    .execute();
  await trx.updateTable('wallets').set({ balance: 0n, closed: true, updated_at: new Date() }).where('account_id', '=', accountId).execute();
  return locked.map((r) => ({ id: r.id, accountId: r.account_id, product: r.product_code, balance: r.balance }));
}

/** Locks the operation a reversal or refund refers to, so two of them on one purchase queue up. */
export async function lockOperation(trx: Tx, operationId: string) {
  return trx
    .selectFrom('operations')
    .select(['id', 'type', 'account_id', 'merchant_id', 'amount', 'created_at'])
    .where('id', '=', operationId)
    .forUpdate()
    .executeTakeFirst();
}

/** Per wallet and product: what a purchase took, and what its refunds and reversals gave back so far. */
export async function purchaseBalance(trx: Tx, purchaseId: string) {
  const { rows } = await sql<{ wallet_id: bigint; product_code: string; taken: bigint; returned: bigint; reversed: boolean }>`
    select p.wallet_id, p.product_code, -sum(p.amount) as taken,
      coalesce((select sum(r.amount) from postings r join operations o on o.id = r.operation_id
                where o.original_operation_id = ${purchaseId} and r.wallet_id = p.wallet_id), 0) as returned,
      exists (select 1 from operations o where o.original_operation_id = ${purchaseId} and o.type = 'reversal') as reversed
    from postings p
    where p.operation_id = ${purchaseId} and p.wallet_id is not null
    group by p.wallet_id, p.product_code
    order by p.wallet_id`.execute(trx);
  return rows.map((r) => ({ walletId: r.wallet_id, product: r.product_code, taken: BigInt(r.taken), returned: BigInt(r.returned), reversed: r.reversed }));
}
