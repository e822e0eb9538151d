import { randomUUID } from 'node:crypto';
import { AppError, Poller, type Database, type Logger } from '@app/kernel';
import { sql, type Kysely, type Transaction } from 'kysely';
import { Ledger, type LedgerResult } from '../../ledger/ledger.service.js';
import { applyClientLine, LineFailure } from '../../registries/clients.apply.js';
import type { Tx as RegistryTx } from '../../registries/registry.repo.js';
import type { ExchangeDb, PrepaidDb } from '../../tables.js';
import { roubles } from '../files/results.js';
import { errorMessage, exchangeLedgerKey, parseClientRequest, parseCreditRequest } from './request-rows.js';

/**
 * PostgreSQL exchange tables (DESIGN §2.10; docs/exchange.md): the partner's system INSERTs rows into
 * exchange_client_requests and exchange_credit_requests; this processor takes rows with status 'new',
 * applies each on its own and writes status, result code, message and results back into the same row.
 * A bad row (unknown client, bad amount, unknown product…) fails with its code; it never stops the batch.
 *
 * Several processors (instances) may run at once: rows are taken with FOR UPDATE SKIP LOCKED, so each
 * row goes to one of them.
 *
 * - Client rows: a batch is taken and applied in one transaction with a savepoint per row (the registry's
 *   client line logic, applyClientLine): the row's changes and its status commit together, or neither.
 * - Credit rows: a batch is first marked 'processing' with a lease (claimed_by, claimed_until), then each
 *   row is a Ledger.credit / Ledger.correct under the key exchange:<partner>:<request_id>, then the row is
 *   written done/failed. A processor that dies in between leaves rows 'processing'; once the lease runs
 *   out another one takes them, and the ledger answers the same key with the operation already made:
 *   a credit is never applied twice.
 */
export interface ExchangeTablesOptions {
  /** Rows per batch and table. */
  batchSize?: number;
  /** Interval between polls when the last poll found nothing to do. */
  pollMs?: number;
  /** How long credit rows taken stay with this processor without being finished. */
  leaseMs?: number;
  owner?: string;
  logger?: Logger;
}

export interface ProcessedCounts {
  clients: number;
  credits: number;
}

type Partners = Map<string, 'active' | 'blocked'>;
type Outcome = { status: 'done' | 'failed'; code: string; message: string };

export class ExchangeTables {
  private readonly db: Kysely<ExchangeDb>;
  private readonly ledger: Ledger;
  private readonly owner: string;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly poller: Poller<ProcessedCounts>;

  constructor(
    private readonly database: Database<PrepaidDb>,
    private readonly options: ExchangeTablesOptions = {},
  ) {
    this.db = database.db as unknown as Kysely<ExchangeDb>;
    this.ledger = new Ledger(database);
    this.owner = options.owner ?? `tables:${randomUUID().slice(0, 8)}`;
    this.batchSize = options.batchSize ?? 100;
    this.leaseMs = options.leaseMs ?? 60_000;
    const pollMs = options.pollMs ?? 1_000;
    this.poller = new Poller({
      name: 'exchange tables',
      run: () => this.processOnce(),
      intervalMs: pollMs,
      // Rows were found: there may be more; otherwise wait for the next poll.
      next: (n) => (n.clients + n.credits > 0 ? 0 : pollMs),
      logger: options.logger,
    });
  }

  start(): void {
    this.poller.start();
  }

  /** Stops polling; waits for the batch in hand. */
  async stop(): Promise<void> {
    await this.poller.stop();
  }

  /** One batch of each table; how many rows were finished. */
  async processOnce(): Promise<ProcessedCounts> {
    const clients = await this.processClients();
    const credits = await this.processCredits();
    return { clients, credits };
  }

  /** `db`: the caller's transaction when inside one (PGlite has a single session: the pool would wait for it). */
  private async partners(codes: string[], db: Kysely<ExchangeDb> | Transaction<ExchangeDb> = this.db): Promise<Partners> {
    if (codes.length === 0) return new Map();
    const rows = await db.selectFrom('partners').select(['code', 'status']).where('code', 'in', [...new Set(codes)]).execute();
    return new Map(rows.map((r) => [r.code, r.status]));
  }

  private partnerRefusal(partners: Partners, code: string): Outcome | null {
    const status = partners.get(code);
    if (!status) return { status: 'failed', code: 'unknown_partner', message: `no partner "${code}" is registered` };
    if (status !== 'active') return { status: 'failed', code: 'partner_blocked', message: `partner "${code}" is blocked` };
    return null;
  }

  // ------------------------------------------------------------------------------------------ clients

  private async processClients(): Promise<number> {
    return this.database.transaction(async (trx) => {
      const t = trx as unknown as Transaction<ExchangeDb>;
      const rows = await t
        .selectFrom('exchange_client_requests')
        .selectAll()
        .where((eb) => eb.or([eb('status', '=', 'new'), eb.and([eb('status', '=', 'processing'), eb('claimed_until', '<', sql<Date>`now()`)])]))
        .orderBy('id')
        .limit(this.batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      const partners = await this.partners(rows.map((r) => r.partner_code), t);
      for (const row of rows) {
        const refused = this.partnerRefusal(partners, row.partner_code);
        const parsed = parseClientRequest(row);
        let outcome: Outcome;
        let result: { clientId?: string; accountNumber?: string } & Record<string, unknown> = {};
        if (refused) outcome = refused;
        else if (!parsed.ok) outcome = { status: 'failed', code: parsed.error.code, message: errorMessage(parsed.error) };
        else {
          await sql`savepoint exchange_row`.execute(t);
          try {
            result = { ...(await applyClientLine(t as unknown as RegistryTx, { ...parsed.line, lineNo: Number(row.id) }, { registryId: `exchange_client_requests:${row.id}`, registryNumber: `exchange:${row.partner_code}:${row.request_id}` })) };
            await sql`release savepoint exchange_row`.execute(t);
            outcome = { status: 'done', code: 'ok', message: `${parsed.line.action} applied` };
          } catch (error) {
            await sql`rollback to savepoint exchange_row`.execute(t);
            if (!(error instanceof LineFailure)) throw error;
            outcome = { status: 'failed', code: error.code, message: error.message };
          }
        }
        await t
          .updateTable('exchange_client_requests')
          .set({
            status: outcome.status,
            result_code: outcome.code,
            result_message: outcome.message,
            result_client_uuid: outcome.status === 'done' ? (result.clientId ?? null) : null,
            result_account_number: outcome.status === 'done' ? (result.accountNumber ?? null) : null,
            result: outcome.status === 'done' ? JSON.stringify(result) : null,
            claimed_by: this.owner,
            processed_at: new Date(),
          })
          .where('id', '=', row.id)
          .execute();
      }
      return rows.length;
    });
  }

  // ------------------------------------------------------------------------------------------ credits

  private async processCredits(): Promise<number> {
    // Taken in one statement: rows locked by another processor's statement are skipped, not waited for.
    const { rows } = await sql<{ id: bigint; partner_code: string; request_id: string; client_id: string | null; account_number: string | null; product: string; amount: string; kind: string; comment: string | null }>`
      update exchange_credit_requests r set status = 'processing', claimed_by = ${this.owner},
        claimed_until = now() + make_interval(secs => ${this.leaseMs / 1000}), attempts = r.attempts + 1
      where r.id in (
        select id from exchange_credit_requests
        where (status = 'new' and (planned_date is null or planned_date <= current_date))
           or (status = 'processing' and claimed_until < now())
        order by id limit ${this.batchSize}
        for update skip locked)
      returning r.id, r.partner_code, r.request_id, r.client_id, r.account_number, r.product, r.amount::text as amount, r.kind, r.comment`.execute(this.db);
    rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    const partners = await this.partners(rows.map((r) => r.partner_code));
    let done = 0;
    for (const row of rows) {
      const outcome = await this.credit(row, partners);
      await this.db
        .updateTable('exchange_credit_requests')
        .set({
          status: outcome.status,
          result_code: outcome.code,
          result_message: outcome.message,
          result_operation_id: outcome.operationId ?? null,
          result_account_number: outcome.accountNumber ?? null,
          result_balance: outcome.balance ?? null,
          processed_at: new Date(),
        })
        .where('id', '=', row.id)
        .where('status', '=', 'processing')
        .where('claimed_by', '=', this.owner)
        .execute();
      done++;
    }
    return done;
  }

  private async credit(
    row: { id: bigint; partner_code: string; request_id: string; client_id: string | null; account_number: string | null; product: string; amount: string; kind: string; comment: string | null },
    partners: Partners,
  ): Promise<Outcome & { operationId?: string; accountNumber?: string; balance?: string }> {
    const refused = this.partnerRefusal(partners, row.partner_code);
    if (refused) return refused;
    const parsed = parseCreditRequest(row);
    if (!parsed.ok) return { status: 'failed', code: parsed.error.code, message: errorMessage(parsed.error) };
    const line = parsed.line;
    const account = await this.account(line);
    if ('code' in account) return { status: 'failed', ...account };
    // A credit to a product the account has no wallet for opens that wallet (as a registry line does).
    const opened = await sql<{ code: string }>`
      with p as (select code, min_balance from products where code = ${line.product})
      , w as (insert into wallets (account_id, product_code, min_balance) select ${account.id}::uuid, p.code, p.min_balance from p
              on conflict (account_id, product_code) do nothing)
      select code from p`.execute(this.db);
    if (opened.rows.length === 0) return { status: 'failed', code: 'unknown_product', message: `product: there is no product "${line.product}"` };
    const key = exchangeLedgerKey(row.partner_code, row.request_id);
    const createdBy = `exchange:${row.partner_code}`;
    let result: LedgerResult;
    try {
      result =
        line.action === 'credit'
          ? await this.ledger.credit({ key, accountId: account.id, product: line.product, amount: line.amount, createdBy })
          : await this.ledger.correct({ key, accountId: account.id, product: line.product, amount: line.amount, reason: line.comment ?? `Exchange table, partner ${row.partner_code}, request ${row.request_id}`, createdBy });
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { status: 'failed', code: error.code, message: error.message };
      throw error;
    }
    if (result.status === 'declined') {
      const { code, ...details } = result.decline as { code: string } & Record<string, unknown>;
      const extra = Object.entries(details).map(([k, v]) => `${k} ${String(v)}`).join(', ');
      return { status: 'failed', code, message: extra ? `${code} (${extra})` : code };
    }
    const balance = result.balances.find((b) => b.product === line.product)?.balance;
    return {
      status: 'done',
      code: 'ok',
      message: `${line.action} applied`,
      operationId: result.operationId,
      accountNumber: account.number,
      ...(balance !== undefined ? { balance: roubles(balance) } : {}),
    };
  }

  /** The account a credit row names: by account_number (client_id, when also given, must agree), else the client's one open account. */
  private async account(line: { clientId: string | null; accountNumber: string | null }): Promise<{ id: string; number: string } | { code: string; message: string }> {
    if (line.accountNumber) {
      const a = await this.db
        .selectFrom('accounts as a')
        .innerJoin('clients as c', 'c.id', 'a.client_id')
        .select(['a.id', 'a.number', 'a.status', 'c.external_id'])
        .where('a.number', '=', line.accountNumber)
        .executeTakeFirst();
      if (!a) return { code: 'account_not_found', message: `no account ${line.accountNumber}` };
      if (a.status === 'closed') return { code: 'account_closed', message: `account ${a.number} is closed` };
      if (line.clientId && a.external_id !== line.clientId) return { code: 'account_client_mismatch', message: `account ${a.number} does not belong to client ${line.clientId}` };
      return { id: a.id, number: a.number };
    }
    const client = await this.db.selectFrom('clients').select(['id', 'status']).where('external_id', '=', line.clientId!).executeTakeFirst();
    if (!client) return { code: 'client_not_found', message: `no client ${line.clientId}` };
    if (client.status !== 'active') return { code: 'client_deleted', message: `client ${line.clientId} is deleted` };
    const accounts = await this.db.selectFrom('accounts').select(['id', 'number']).where('client_id', '=', client.id).where('status', '<>', 'closed').limit(2).execute();
    if (accounts.length === 0) return { code: 'account_not_found', message: `client ${line.clientId} has no open account` };
    if (accounts.length > 1) return { code: 'account_ambiguous', message: `client ${line.clientId} has several accounts: name the account_number` };
    return accounts[0]!;
  }
}
