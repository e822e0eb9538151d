import type { Database } from '@app/kernel';
import { sql } from 'kysely';
import { debitAllowed, debitAssignments, velocityAllowed, velocityAssignments } from '../ledger/debit.sql.js';
import type { PrepaidDb } from '../tables.js';
import type { FastApproval } from './purchase.fast-path.js';

/**
 * Group commit for one-line purchases (the common case at a till): what arrives while the previous
 * batch is in the database is applied together as ONE statement, so N authorizations share one
 * round trip, one plan and one WAL flush (DESIGN §4, TigerBeetle-style batching). Each purchase still
 * gets its own answer: the statement approves per row, and a purchase it does not approve (declined,
 * unknown card, used key, a second purchase of the same wallet in the same batch) resolves to null and
 * takes the explaining path, exactly like the single-statement path.
 */
export interface BatchedPurchase {
  key: string;
  fingerprint: string;
  kind: string;
  value: string;
  product: string;
  amount: bigint;
  merchantId: string;
  terminalId: string;
}


export class PurchaseBatcher {
  private queue: Array<{ purchase: BatchedPurchase; resolve: (a: FastApproval | null) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly database: Database<PrepaidDb>,
    private readonly options: { maxBatch?: number; maxInFlight?: number; onBatch?: (size: number) => void } = {},
  ) {}

  submit(purchase: BatchedPurchase): Promise<FastApproval | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ purchase, resolve, reject });
      // Alone and idle: go now. Otherwise the request joins the next batch, sent when a slot frees.
      if (this.inFlight < (this.options.maxInFlight ?? 2)) setImmediate(() => this.flush());
    });
  }

  private async flush() {
    if (this.queue.length === 0 || this.inFlight >= (this.options.maxInFlight ?? 2)) return;
    const batch = this.queue.splice(0, this.options.maxBatch ?? 256);
    this.inFlight++;
    try {
      // One key once per batch: a duplicate waits for the explaining path, which replays the first.
      const seen = new Set<string>();
      const unique = batch.filter((b) => (seen.has(b.purchase.key) ? (b.resolve(null), false) : (seen.add(b.purchase.key), true)));
      this.options.onBatch?.(unique.length);
      const approvals = await this.apply(unique.map((b) => b.purchase));
      unique.forEach((b, i) => b.resolve(approvals.get(i + 1) ?? null));
    } catch (error) {
      const code = (error as { code?: string }).code;
      // A key taken meanwhile or a deadlock with another instance: everyone re-runs on the explaining path.
      if (code === '23505' || code === '40P01') batch.forEach((b) => b.resolve(null));
      else batch.forEach((b) => b.reject(error));
    } finally {
      this.inFlight--;
      if (this.queue.length) setImmediate(() => this.flush());
    }
  }

  private async apply(purchases: BatchedPurchase[]): Promise<Map<number, FastApproval>> {
    const col = <K extends keyof BatchedPurchase>(k: K) => purchases.map((p) => (typeof p[k] === 'bigint' ? String(p[k]) : p[k]));
    const statement = sql`
      with req as (
        select * from unnest(${col('key')}::text[], ${col('fingerprint')}::text[], ${col('kind')}::text[], ${col('value')}::text[],
                             ${col('product')}::text[], ${col('amount')}::bigint[], ${col('merchantId')}::uuid[], ${col('terminalId')}::text[])
          with ordinality as r(key, fingerprint, kind, value, product, amount, merchant_id, terminal_id, ord)
      ),
      target as (
        -- The operation's id and journal number are drawn here, so the wallet UPDATE below can link the operation
        -- into the wallet's hash chain before the row exists (migration 0017). A number drawn for a row the wallet
        -- then refuses is a gap, as after any rolled-back operation.
        select distinct on (w.id) r.*, w.id as wallet_id, i.id as identifier_id, la.id as ledger_account_id, gen_random_uuid() as op_id,
          nextval(pg_get_serial_sequence('operations', 'seq')) as seq
        from req r
        join identifiers i on i.kind = r.kind and i.value = r.value and i.status = 'active'
        join wallets w on w.account_id = i.account_id and w.product_code = r.product
        join ledger_accounts la on la.kind = 'merchant' and la.merchant_id = r.merchant_id and la.product_code = r.product
        where not exists (select 1 from stop_list s where s.kind = r.kind and s.value = r.value)
          and not exists (select 1 from idempotency_keys k where k.key = r.key)
          and exists (select 1 from merchant_products mp join merchants m on m.id = mp.merchant_id
                      where mp.merchant_id = r.merchant_id and mp.product_code = r.product and m.status = 'active')
        order by w.id, r.ord
      ),
      debited as (
        -- The debit, its velocity record and the chain link in one UPDATE of the one row the purchase locks: the
        -- new head is sha256(old head || the operation's document), re-read under the lock like the balance.
        update wallets w set ${debitAssignments(sql`t.amount`)}, ${velocityAssignments(sql`t.amount`, sql`t.identifier_id`)},
          chain_prev = w.chain_head, chain_length = w.chain_length + 1,
          chain_head = sha256(w.chain_head || journal_document_of(t.op_id, t.seq, 'purchase', w.account_id, t.merchant_id, t.terminal_id, null, t.amount, now(), null, '{}'::jsonb,
            journal_postings(array[w.id, null]::bigint[], array[null, t.ledger_account_id]::bigint[], array[w.product_code, w.product_code], array[-t.amount, t.amount]::bigint[])))
        from target t, products p, accounts a
        where w.id = t.wallet_id and p.code = w.product_code and a.id = w.account_id and a.status = 'open'
          and ${debitAllowed(sql`t.amount`)} and ${velocityAllowed(sql`t.amount`, sql`t.identifier_id`)}
        returning t.ord, t.op_id, t.seq, t.key, t.fingerprint, t.merchant_id, t.terminal_id, t.ledger_account_id, w.id as wallet_id, w.account_id, w.product_code, w.balance, t.amount,
          w.chain_length, w.chain_prev, w.chain_head
      ),
      ops as (
        insert into operations (id, seq, type, account_id, merchant_id, terminal_id, amount)
        select d.op_id, d.seq, 'purchase', d.account_id, d.merchant_id, d.terminal_id, d.amount from debited d
        returning id, seq
      ),
      posted as (
        insert into postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
        select d.op_id, d.wallet_id, null, d.product_code, -d.amount from debited d
        union all
        select d.op_id, null, d.ledger_account_id, d.product_code, d.amount from debited d
        returning 1
      ),
      linked as (
        insert into journal_links (operation_id, wallet_id, link_no, prev_hash, hash)
        select d.op_id, d.wallet_id, d.chain_length, d.chain_prev, d.chain_head from debited d
        returning 1
      ),
      -- Linked already: the postings trigger of 0012 skips this statement (the setting ends with its transaction).
      linked_flag as (select set_config('prepaid.journal_linked', 'on', true) as flag),
      remembered as (
        insert into idempotency_keys (key, request_hash, response, operation_id)
        select d.key, d.fingerprint,
          jsonb_build_object('status', 'approved', 'operationId', o.id, 'seq', o.seq::text, 'type', 'purchase', 'amount', d.amount::text,
            'balances', jsonb_build_array(jsonb_build_object('product', d.product_code, 'balance', d.balance::text))),
          o.id
        from debited d join ops o on o.id = d.op_id
        returning 1
      )
      select d.ord, o.id, o.seq, d.account_id, d.product_code, d.balance, (select count(*) from posted) as postings, (select count(*) from remembered) as remembered,
        (select count(*) from linked) as linked, (select flag from linked_flag) as flag
      from debited d join ops o on o.id = d.op_id`.compile(this.database.db);
    const rows = await this.database.prepared<{ ord: string | bigint; id: string; seq: bigint; account_id: string; product_code: string; balance: bigint }>('pos_purchase_batch_v3', statement);
    return new Map(
      rows.map((r) => [Number(r.ord), { operationId: r.id, seq: BigInt(r.seq), accountId: r.account_id, balances: [{ product: r.product_code, balance: BigInt(r.balance) }] }]),
    );
  }
}
