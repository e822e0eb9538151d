import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { closeWallets, insertOperation, type Tx as LedgerTx } from '../ledger/ledger.repo.js';
import type { IdentifierKind } from '../tables.js';
import type { ClientLine } from './line.js';
import type { Tx } from './registry.repo.js';

/**
 * One client line, applied inside the caller's savepoint: every statement here either all stays or
 * all goes, so a line that fails on its last identifier leaves no client, account or wallet behind.
 * Failures are LineFailure values with the line's stable code; anything else is unexpected.
 */
export class LineFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ClientLineResult {
  clientId: string;
  accountNumber?: string;
  walletsOpened?: string[];
  identifiersBound?: string[];
  changed?: string[];
  accountsClosed?: string[];
  identifiersUnbound?: number;
}

export async function applyClientLine(trx: Tx, line: ClientLine & { lineNo: number }, source: { registryId: string; registryNumber: string }): Promise<ClientLineResult> {
  if (line.action === 'create') return create(trx, line);
  const client = await trx.selectFrom('clients').select(['id', 'status', 'full_name', 'phone', 'email']).where('external_id', '=', line.clientId).forUpdate().executeTakeFirst();
  if (!client) throw new LineFailure('client_not_found', `no client ${line.clientId}`);
  if (client.status === 'deleted') throw new LineFailure('client_deleted', `client ${line.clientId} is deleted`);
  return line.action === 'update' ? update(trx, line, client) : remove(trx, line, client.id, source);
}

async function create(trx: Tx, line: ClientLine): Promise<ClientLineResult> {
  const client = await unique(
    () => trx.insertInto('clients').values({ external_id: line.clientId, full_name: line.fullName!, phone: line.phone, email: line.email }).returning('id').executeTakeFirstOrThrow(),
    'client_exists',
    `client ${line.clientId} already exists`,
  );
  const account = await openAccount(trx, client.id, line.accountNumber);
  const walletsOpened = await openWallets(trx, account.id, line.products);
  const identifiersBound = await bind(trx, account.id, [], line.identifiers);
  return { clientId: client.id, accountNumber: account.number, walletsOpened, identifiersBound };
}

async function update(trx: Tx, line: ClientLine, client: { id: string; full_name: string; phone: string | null; email: string | null }): Promise<ClientLineResult> {
  const changed: string[] = [];
  if (line.fullName !== null && line.fullName !== client.full_name) changed.push('fullName');
  if (line.phone !== null && line.phone !== client.phone) changed.push('phone');
  if (line.email !== null && line.email !== client.email) changed.push('email');
  if (changed.length) {
    await trx
      .updateTable('clients')
      .set({ ...(line.fullName !== null ? { full_name: line.fullName } : {}), ...(line.phone !== null ? { phone: line.phone } : {}), ...(line.email !== null ? { email: line.email } : {}), updated_at: new Date() })
      .where('id', '=', client.id)
      .execute();
  }
  const result: ClientLineResult = { clientId: client.id, changed };
  if (line.products.length === 0 && line.identifiers.length === 0) return result;
  const accounts = await trx.selectFrom('accounts').select(['id', 'number']).where('client_id', '=', client.id).where('status', '<>', 'closed').orderBy('created_at').execute();
  if (accounts.length > 1 && line.products.length) throw new LineFailure('account_ambiguous', `client ${line.clientId} has ${accounts.length} accounts; open wallets in the workplace`);
  const account = accounts[0] ?? (await openAccount(trx, client.id, null));
  result.accountNumber = account.number;
  result.walletsOpened = await openWallets(trx, account.id, line.products);
  const own = await trx
    .selectFrom('identifiers as i')
    .innerJoin('accounts as a', 'a.id', 'i.account_id')
    .select(['i.kind', 'i.value'])
    .where('a.client_id', '=', client.id)
    .where('i.status', '=', 'active')
    .execute();
  result.identifiersBound = await bind(trx, account.id, own, line.identifiers);
  return result;
}

/**
 * Deleting a client closes its accounts (they must be empty: money is never dropped by a registry
 * line) with a journaled close operation each, unbinds its identifiers and marks the client deleted;
 * the rows stay for history and statements.
 */
async function remove(trx: Tx, line: ClientLine & { lineNo: number }, clientId: string, source: { registryId: string; registryNumber: string }): Promise<ClientLineResult> {
  const accounts = await trx.selectFrom('accounts').select(['id', 'number']).where('client_id', '=', clientId).where('status', '<>', 'closed').orderBy('id').forNoKeyUpdate().execute();
  for (const account of accounts) {
    const wallets = await closeWallets(trx as unknown as LedgerTx, account.id);
    const left = wallets.find((w) => w.balance !== 0n);
    if (left) throw new LineFailure('client_has_balance', `client ${line.clientId} still has ${left.balance} kopecks of ${left.product} on account ${account.number}`);
    await trx.updateTable('accounts').set({ status: 'closed', closed_at: new Date() }).where('id', '=', account.id).execute();
    await insertOperation(trx as unknown as LedgerTx, { type: 'close', accountId: account.id, amount: 0n, createdBy: `registry:${source.registryNumber}`, details: { disposition: 'returned', reason: 'client deleted by registry', ...source, lineNo: line.lineNo } });
  }
  const unbound = await trx
    .updateTable('identifiers')
    .set({ status: 'unbound', updated_at: new Date() })
    .where('status', '=', 'active')
    .where('account_id', 'in', accounts.length ? accounts.map((a) => a.id) : ['00000000-0000-0000-0000-000000000000'])
    .executeTakeFirst();
  await trx.updateTable('clients').set({ status: 'deleted', updated_at: new Date() }).where('id', '=', clientId).execute();
  return { clientId, accountsClosed: accounts.map((a) => a.number), identifiersUnbound: Number(unbound.numUpdatedRows) };
}

async function openAccount(trx: Tx, clientId: string, number: string | null): Promise<{ id: string; number: string }> {
  if (number) {
    const row = await unique(() => trx.insertInto('accounts').values({ client_id: clientId, number }).returning('id').executeTakeFirstOrThrow(), 'account_exists', `account ${number} already exists`);
    return { id: row.id, number };
  }
  // A generated number colliding is rare (10^15 of them); the insert skips it and the next one is tried.
  for (;;) {
    const candidate = `9${Array.from({ length: 15 }, () => randomInt(10)).join('')}`;
    const row = await trx.insertInto('accounts').values({ client_id: clientId, number: candidate }).onConflict((oc) => oc.column('number').doNothing()).returning('id').executeTakeFirst();
    if (row) return { id: row.id, number: candidate };
  }
}

async function openWallets(trx: Tx, accountId: string, products: string[]): Promise<string[]> {
  if (products.length === 0) return [];
  const { rows } = await sql<{ product_code: string }>`
    insert into wallets (account_id, product_code, min_balance)
    select ${accountId}::uuid, p.code, p.min_balance from products p where p.code = any(${products}::text[])
    on conflict (account_id, product_code) do nothing
    returning product_code`.execute(trx);
  const known = await trx.selectFrom('products').select('code').where('code', 'in', products).execute();
  const unknown = products.find((p) => !known.some((k) => k.code === p));
  if (unknown) throw new LineFailure('unknown_product', `there is no product "${unknown}"`);
  return rows.map((r) => r.product_code).sort();
}

async function bind(trx: Tx, accountId: string, own: Array<{ kind: string; value: string }>, wanted: Array<{ kind: IdentifierKind; value: string }>): Promise<string[]> {
  const bound: string[] = [];
  for (const id of wanted) {
    if (own.some((o) => o.kind === id.kind && o.value === id.value)) continue;
    const stopped = await trx.selectFrom('stop_list').select('kind').where('kind', '=', id.kind).where('value', '=', id.value).executeTakeFirst();
    if (stopped) throw new LineFailure('identifier_stop_listed', `${id.kind} ${id.value} is on the stop-list`);
    await unique(
      () => trx.insertInto('identifiers').values({ account_id: accountId, kind: id.kind, value: id.value }).execute(),
      'identifier_in_use',
      `${id.kind} ${id.value} is bound to another account`,
    );
    bound.push(`${id.kind}:${id.value}`);
  }
  return bound;
}

async function unique<T>(insert: () => Promise<T>, code: string, message: string): Promise<T> {
  try {
    return await insert();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new LineFailure(code, message);
    throw error;
  }
}
