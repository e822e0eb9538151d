import { randomUUID } from 'node:crypto';
import { AppError, badRequest, type Database } from '@app/kernel';
import { sql } from 'kysely';
import { normaliseIdentifier } from '../identifiers/identifier-value.js';
import type { Ledger } from '../ledger/ledger.service.js';
import { purchaseFingerprint } from '../pos/pos.service.js';
import type { IdentifierKind, OfflineDb } from '../tables.js';
import type { Terminal } from '../terminals/terminals.service.js';

/**
 * The server side of offline mode: a terminal uploads the purchases it authorized offline, and each is
 * applied once, in the terminal's order (its `seq`), one upload per terminal at a time (a lease row).
 *
 * What becomes of each (docs/offline.md, "Overdraw policy"):
 *   posted  — a ledger purchase under the terminal's own key (`pos:<terminal>:<id>`, the key of the online
 *             attempt it fell back from), debited by the offline rule: the minimum balance is the only
 *             money limit (a product with a negative minimum allows that much offline overdraft);
 *   failed  — a failed operation for the claims cycle, never dropped: insufficient funds beyond the minimum,
 *             an identifier unknown or blocked/stop-listed before the purchase time, a blocked account,
 *             merchant or terminal, a product the merchant does not take (any ledger decline).
 * Either outcome is recorded per (terminal, transaction id); uploading the same batch again answers from
 * there and changes nothing.
 */
export interface OfflineTransactionInput {
  id: string;
  seq: number;
  at: string;
  identifier: { kind: IdentifierKind; value: string };
  basket: Array<{ product: string; amount: number }>;
  snapshotVersion?: number;
}

export type UploadResult =
  | { id: string; seq: number; status: 'posted'; operationId: string; operationSeq: number }
  | { id: string; seq: number; status: 'failed'; failedOperationId: string; code: string };

const LEASE_SECONDS = 60;
/** A terminal's clock may run a little ahead; more than this is a broken clock, refused as bad input. */
const MAX_CLOCK_AHEAD_MS = 10 * 60_000;

export class OfflineUploads {
  constructor(
    private readonly database: Database<OfflineDb>,
    private readonly ledger: Ledger,
  ) {}

  async upload(terminal: Terminal, transactions: OfflineTransactionInput[]): Promise<UploadResult[]> {
    this.validate(transactions);
    const holder = randomUUID();
    if (!(await this.takeLease(terminal.id, holder))) throw new AppError('upload_in_progress', 409, 'Another upload of this terminal is being applied; retry shortly');
    try {
      const results: UploadResult[] = [];
      for (const t of [...transactions].sort((a, b) => a.seq - b.seq)) results.push(await this.applyOne(terminal, t));
      return results;
    } finally {
      await this.database.db.deleteFrom('offline_upload_leases').where('terminal_id', '=', terminal.id).where('holder', '=', holder).execute();
    }
  }

  /** Bad input refuses the whole batch before anything is applied. */
  private validate(transactions: OfflineTransactionInput[]) {
    const ids = new Set<string>();
    const seqs = new Set<number>();
    transactions.forEach((t, i) => {
      if (ids.has(t.id)) throw badRequest('duplicate_transaction', 'A transaction id appears twice in the batch', `transactions/${i}/id`);
      if (seqs.has(t.seq)) throw badRequest('duplicate_seq', 'A terminal sequence number appears twice in the batch', `transactions/${i}/seq`);
      ids.add(t.id);
      seqs.add(t.seq);
      const at = Date.parse(t.at);
      if (Number.isNaN(at) || at > Date.now() + MAX_CLOCK_AHEAD_MS) throw badRequest('transaction_time_invalid', 'The purchase time is not a date or lies in the future', `transactions/${i}/at`);
      const products = t.basket.map((l) => l.product);
      if (new Set(products).size !== products.length) throw badRequest('basket_duplicate_product', 'Each product may appear once in a basket', `transactions/${i}/basket`);
    });
  }

  private async takeLease(terminalId: string, holder: string): Promise<boolean> {
    const { rows } = await sql<{ holder: string }>`
      insert into offline_upload_leases (terminal_id, holder, until) values (${terminalId}, ${holder}, now() + make_interval(secs => ${LEASE_SECONDS}))
      on conflict (terminal_id) do update set holder = excluded.holder, until = excluded.until where offline_upload_leases.until < now()
      returning holder`.execute(this.database.db);
    return rows[0]?.holder === holder;
  }

  private async applyOne(terminal: Terminal, t: OfflineTransactionInput): Promise<UploadResult> {
    const known = await this.recorded(terminal.id, t);
    if (known) return known;
    const at = new Date(t.at);
    const amount = t.basket.reduce((s, l) => s + BigInt(l.amount), 0n);
    const refusal = terminal.status !== 'active' ? { code: 'terminal_not_allowed' as const, accountId: null } : await this.identifierAt(t.identifier, at);
    if ('code' in refusal) return this.fail(terminal, t, at, amount, refusal.code, refusal.accountId, {});

    const result = await this.ledger.purchase({
      key: `pos:${terminal.id}:${t.id}`,
      fingerprint: purchaseFingerprint(terminal.id, t.identifier, t.basket),
      accountId: refusal.accountId,
      merchantId: terminal.merchantId,
      terminalId: terminal.id,
      basket: t.basket,
      offline: { at, transactionId: t.id },
    });
    if (result.status === 'declined') {
      const { code, ...rest } = result.decline as { code: string } & Record<string, unknown>;
      return this.fail(terminal, t, at, amount, code, refusal.accountId, Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])));
    }
    await this.database.db
      .insertInto('offline_transactions')
      .values({ terminal_id: terminal.id, transaction_id: t.id, terminal_seq: BigInt(t.seq), happened_at: at, snapshot_version: t.snapshotVersion === undefined ? null : BigInt(t.snapshotVersion), status: 'posted', operation_id: result.operationId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return (await this.recorded(terminal.id, t))!;
  }

  /**
   * The account the identifier named at the purchase time. Refused when it was never bound, or when it was
   * blocked, unbound or stop-listed before the purchase (a card reported lost after the purchase still pays).
   */
  private async identifierAt(identifier: OfflineTransactionInput['identifier'], at: Date): Promise<{ accountId: string } | { code: 'unknown_identifier' | 'identifier_blocked'; accountId: string | null }> {
    let value: string;
    try {
      value = normaliseIdentifier(identifier.kind, identifier.value);
    } catch {
      return { code: 'unknown_identifier', accountId: null };
    }
    const db = this.database.db;
    const stop = await db.selectFrom('stop_list').select('added_at').where('kind', '=', identifier.kind).where('value', '=', value).executeTakeFirst();
    // The binding in force at `at`: the newest one made before it (bindings made later are not the card that was shown).
    const rows = await db.selectFrom('identifiers').select(['account_id', 'status', 'created_at', 'updated_at']).where('kind', '=', identifier.kind).where('value', '=', value).orderBy('created_at', 'desc').execute();
    const binding = rows.find((r) => r.created_at <= at) ?? rows.at(-1);
    if (!binding) return { code: 'unknown_identifier', accountId: null };
    if (stop && stop.added_at <= at) return { code: 'identifier_blocked', accountId: binding.account_id };
    if (binding.status !== 'active' && binding.updated_at <= at) return { code: 'identifier_blocked', accountId: binding.account_id };
    return { accountId: binding.account_id };
  }

  private async fail(terminal: Terminal, t: OfflineTransactionInput, at: Date, amount: bigint, code: string, accountId: string | null, details: Record<string, unknown>): Promise<UploadResult> {
    await this.database.transaction(async (trx) => {
      const failed = await trx
        .insertInto('failed_operations')
        .values({
          kind: 'offline_purchase',
          terminal_id: terminal.id,
          merchant_id: terminal.merchantId,
          transaction_id: t.id,
          identifier_kind: t.identifier.kind,
          identifier_value: t.identifier.value,
          account_id: accountId,
          basket: JSON.stringify(t.basket.map((l) => ({ product: l.product, amount: String(l.amount) }))),
          amount,
          happened_at: at,
          code,
          details: JSON.stringify({ ...details, terminalSeq: t.seq, snapshotVersion: t.snapshotVersion ?? null }),
        })
        .onConflict((oc) => oc.columns(['terminal_id', 'transaction_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      const id = failed?.id ?? (await trx.selectFrom('failed_operations').select('id').where('terminal_id', '=', terminal.id).where('transaction_id', '=', t.id).executeTakeFirstOrThrow()).id;
      await trx
        .insertInto('offline_transactions')
        .values({ terminal_id: terminal.id, transaction_id: t.id, terminal_seq: BigInt(t.seq), happened_at: at, snapshot_version: t.snapshotVersion === undefined ? null : BigInt(t.snapshotVersion), status: 'failed', failed_operation_id: id })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    return (await this.recorded(terminal.id, t))!;
  }

  private async recorded(terminalId: string, t: OfflineTransactionInput): Promise<UploadResult | undefined> {
    const row = await this.database.db
      .selectFrom('offline_transactions as ot')
      .leftJoin('operations as o', 'o.id', 'ot.operation_id')
      .leftJoin('failed_operations as f', 'f.id', 'ot.failed_operation_id')
      .select(['ot.status', 'ot.operation_id', 'o.seq', 'ot.failed_operation_id', 'f.code', 'ot.terminal_seq'])
      .where('ot.terminal_id', '=', terminalId)
      .where('ot.transaction_id', '=', t.id)
      .executeTakeFirst();
    if (!row) return undefined;
    const seq = Number(row.terminal_seq);
    return row.status === 'posted'
      ? { id: t.id, seq, status: 'posted', operationId: row.operation_id!, operationSeq: Number(row.seq) }
      : { id: t.id, seq, status: 'failed', failedOperationId: row.failed_operation_id!, code: row.code! };
  }
}
