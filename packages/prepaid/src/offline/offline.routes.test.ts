import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff, seedPrepaidDemo } from '../demo.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { OfflineDb, PrepaidDb } from '../tables.js';
import { Terminals } from '../terminals/terminals.service.js';

let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
let prepaid: Database<PrepaidDb>;
let offline: Database<OfflineDb>;
let auth: string;
let merchant: string;
const jar: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
const uid = () => randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase();

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  prepaid = runtime.database as unknown as Database<PrepaidDb>;
  offline = runtime.database as unknown as Database<OfflineDb>;
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.ready();
  merchant = (await createProgramme(prepaid.db)).canteen;
  const t = await new Terminals(prepaid, runtime.cache).register({ code: `T-${uid()}`, merchantId: merchant });
  auth = `Basic ${Buffer.from(`${t.code}:${t.secret}`).toString('base64')}`;
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    jar[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
  // Own funds may be spent offline, up to 100 ₽ a purchase (a manager's setting, journaled).
  expect((await as('settlement', 'PATCH', '/api/products/own', { offlineFloorLimit: 10_000 })).statusCode).toBe(403);
  expect((await as('manager', 'PATCH', '/api/products/own', { offlineFloorLimit: 10_000 })).statusCode).toBe(200);
});
afterAll(async () => {
  await app.close();
  await runtime.close();
});

const pos = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url: `/api/pos/v1${url}`, headers: { authorization: auth }, ...(payload ? { payload } : {}) });
const as = (login: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => app.inject({ method, url, cookies: jar[login]!.cookies, headers: { 'x-csrf-token': jar[login]!.csrf }, ...(payload ? { payload } : {}) });

async function cardholder(own: number) {
  const account = await newAccount(prepaid.db);
  await new Ledger(prepaid).credit({ key: key(), accountId: account.id, product: 'own', amount: own });
  const card = uid();
  await new Identifiers(prepaid).bind({ accountId: account.id, kind: 'card_uid', value: card });
  return { account, card };
}

describe('terminal snapshot over the POS API', () => {
  it('serves a full snapshot signed with the published key, 204 when current, a delta from an older version', async () => {
    const { account, card } = await cardholder(7_000);
    const publicKey = (await pos('GET', '/offline/public-key')).json();
    expect(publicKey).toMatchObject({ algorithm: 'Ed25519' });
    const key = createPublicKey({ key: Buffer.from(publicKey.publicKey, 'base64'), format: 'der', type: 'spki' });

    const full = await pos('GET', '/offline/snapshot');
    expect(full.headers['x-snapshot-kind']).toBe('full');
    expect(verify(null, full.rawPayload, key, Buffer.from(String(full.headers['x-snapshot-signature']), 'base64'))).toBe(true);
    const content = JSON.parse(gunzipSync(full.rawPayload).toString());
    const number = (await prepaid.db.selectFrom('accounts').select('number').where('id', '=', account.id).executeTakeFirstOrThrow()).number;
    expect(content.identifiers).toContainEqual(['card_uid', card, number]);
    expect(content.accounts).toContainEqual([number, [['meals', 0, 0], ['own', 7_000, 7_000]]]);
    expect(content.products).toContainEqual({ code: 'own', name: 'Собственные средства', offline: [10_000, null, null] });
    // meals: 300 ₽ per operation, but no offline floor limit — not offered offline at all.
    expect(content.products).toContainEqual({ code: 'meals', name: 'Льготное питание', offline: [null, null, null] });
    const version = Number(full.headers['x-snapshot-version']);
    expect((await pos('GET', `/offline/snapshot?since=${version}`)).statusCode).toBe(204);

    await new Ledger(prepaid).credit({ key: randomUUID(), accountId: account.id, product: 'own', amount: 500 });
    expect((await as('settlement', 'POST', '/api/staff/offline/snapshots')).json()).toMatchObject({ created: true, version: version + 1 });
    const delta = await pos('GET', `/offline/snapshot?since=${version}`);
    expect([delta.headers['x-snapshot-kind'], delta.headers['x-snapshot-from-version']]).toEqual(['delta', String(version)]);
    expect(verify(null, delta.rawPayload, key, Buffer.from(String(delta.headers['x-snapshot-signature']), 'base64'))).toBe(true);
    const changes = JSON.parse(gunzipSync(delta.rawPayload).toString());
    expect(changes.accounts).toEqual([[number, [['meals', 0, 0], ['own', 7_500, 7_500]]]]);
    // A version the server no longer keeps deltas from: the full one.
    expect((await pos('GET', '/offline/snapshot?since=999999')).headers['x-snapshot-kind']).toBe('full');
    expect((await app.inject({ method: 'GET', url: '/api/pos/v1/offline/snapshot' })).statusCode).toBe(401);
  });
});

describe('offline upload', () => {
  it('refuses a malformed batch as a whole, naming the field, and applies nothing of it', async () => {
    const { account, card } = await cardholder(5_000);
    const txn = (id: string, seq: number, at = new Date().toISOString()) => ({ id, seq, at, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1_000 }] });
    const duplicate = await pos('POST', '/offline/transactions', { transactions: [txn('a', 1), txn('a', 2)] });
    expect([duplicate.statusCode, duplicate.json().code, duplicate.json().errors[0].field]).toEqual([400, 'duplicate_transaction', 'transactions/1/id']);
    const future = await pos('POST', '/offline/transactions', { transactions: [txn('b', 1), txn('c', 2, new Date(Date.now() + 86_400_000).toISOString())] });
    expect([future.statusCode, future.json().code, future.json().errors[0].field]).toEqual([400, 'transaction_time_invalid', 'transactions/1/at']);
    const badAmount = await pos('POST', '/offline/transactions', { transactions: [{ ...txn('d', 1), basket: [{ product: 'own', amount: 1.5 }] }] });
    expect(badAmount.statusCode).toBe(400);
    const balance = await prepaid.db.selectFrom('wallets').select('balance').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    expect(balance.balance).toBe(5_000n);
    expect(await offline.db.selectFrom('offline_transactions').select('transaction_id').where('transaction_id', 'in', ['a', 'b', 'c', 'd']).execute()).toEqual([]);
  });

  it('turns an unknown card and a card blocked before the purchase into failed operations, but posts a purchase made before the block', async () => {
    const { account, card } = await cardholder(5_000);
    const before = new Date(Date.now() - 60_000).toISOString();
    const identifier = await prepaid.db.selectFrom('identifiers').select('id').where('value', '=', card).executeTakeFirstOrThrow();
    await new Identifiers(prepaid).block(identifier.id, 'lost');
    const after = new Date(Date.now() + 1_000).toISOString();
    const res = await pos('POST', '/offline/transactions', {
      transactions: [
        { id: `x-${uid()}`, seq: 3, at: after, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1_000 }] },
        { id: `x-${uid()}`, seq: 1, at: before, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1_000 }] },
        { id: `x-${uid()}`, seq: 2, at: before, identifier: { kind: 'card_uid', value: 'FFFFFFFF' }, basket: [{ product: 'own', amount: 1_000 }] },
      ],
    });
    expect(res.json().results.map((r: { seq: number; status: string; code?: string }) => [r.seq, r.status, r.code])).toEqual([
      [1, 'posted', undefined],
      [2, 'failed', 'unknown_identifier'],
      [3, 'failed', 'identifier_blocked'],
    ]);
    const balance = await prepaid.db.selectFrom('wallets').select('balance').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    expect(balance.balance).toBe(4_000n);
    const failed = (await as('operator', 'GET', '/api/staff/failed-operations?code=identifier_blocked')).json();
    expect(failed.items.map((f: { accountId: string }) => f.accountId)).toContain(account.id);
  });
});

describe('claims', () => {
  it('refuses bad input with a stable code and the field, and resolves a claim on a purchase by a reversal', async () => {
    const { account, card } = await cardholder(9_000);
    const bought = await pos('POST', '/purchases', { idempotencyKey: `p-${uid()}`, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 2_500 }] });
    const operationId = bought.json().operationId as string;

    expect((await as('operator', 'POST', '/api/staff/claims', { title: 'nothing named' })).json()).toMatchObject({ code: 'claim_subject_invalid', errors: [{ field: 'operationId' }] });
    expect((await as('operator', 'POST', '/api/staff/claims', { operationId: randomUUID(), title: 'x' })).json().code).toBe('operation_not_found');
    const claim = (await as('operator', 'POST', '/api/staff/claims', { operationId, title: 'Charged but meal not served' })).json();
    expect((await as('operator', 'POST', '/api/staff/claims', { operationId, title: 'again' })).json().code).toBe('claim_already_open');

    const exe = await as('operator', 'POST', `/api/staff/claims/${claim.id}/attachments`, { fileName: 'a.exe', contentType: 'application/x-msdownload', content: 'TVo=' });
    expect(exe.statusCode).toBe(400);
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 1).toString('base64');
    expect((await as('operator', 'POST', `/api/staff/claims/${claim.id}/attachments`, { fileName: 'big.txt', contentType: 'text/plain', content: big })).json()).toMatchObject({ code: 'attachment_too_large', errors: [{ field: 'content' }] });
    expect((await as('settlement', 'POST', `/api/staff/claims/${claim.id}/assign`, { assignee: 'nobody' })).json()).toMatchObject({ code: 'assignee_unknown', errors: [{ field: 'assignee' }] });
    const noMoney = await as('settlement', 'POST', `/api/staff/claims/${claim.id}/resolution`, { kind: 'correction', idempotencyKey: 'c0', product: 'own', amount: 0, reason: 'x' });
    expect(noMoney.statusCode).toBe(400);
    expect((await as('settlement', 'POST', `/api/staff/claims/${claim.id}/close`)).json().code).toBe('claim_status_conflict');

    const resolved = await as('manager', 'POST', `/api/staff/claims/${claim.id}/resolution`, { kind: 'reversal', idempotencyKey: 'rev-1' });
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolution: 'reversal', openedBy: 'operator' });
    const reversal = await prepaid.db.selectFrom('operations').select(['type', 'original_operation_id', 'created_by']).where('id', '=', resolved.json().resolutionOperationIds[0]).executeTakeFirstOrThrow();
    expect(reversal).toEqual({ type: 'reversal', original_operation_id: operationId, created_by: 'manager' });
    const wallet = await prepaid.db.selectFrom('wallets').select('balance').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    expect(wallet.balance).toBe(9_000n);
    const list = (await as('operator', 'GET', '/api/staff/claims?resolution=reversal&status=resolved')).json();
    expect(list.items.map((c: { id: string }) => c.id)).toContain(claim.id);
    expect(app.routeTable().filter((r) => r.url.startsWith('/api/staff/claims')).every((r) => typeof r.access === 'object')).toBe(true);
  });
});
