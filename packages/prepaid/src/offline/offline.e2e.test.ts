import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, startTcpProxy, testConfig } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff, seedPrepaidDemo } from '../demo.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { OfflineDb, PrepaidDb } from '../tables.js';
import { Terminals } from '../terminals/terminals.service.js';
import { startEmulator } from './emulator.fixture.js';

/**
 * Offline mode end to end: the prepaid server over real HTTP, the terminal emulator (pos-sdk) as real
 * child processes on a data folder of their own, the database the environment names.
 */
let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let database: Database<OfflineDb>;
/** The same database typed for the ledger's fixtures. */
let prepaid: Database<PrepaidDb>;
let app: HttpApp;
let port: number;
let canteen: string;
let shop: string;
let publicKey: string;
const dirs: string[] = [];

const uid = () => randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase();
const basic = (code: string, secret: string) => `Basic ${Buffer.from(`${code}:${secret}`).toString('base64')}`;
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pos-e2e-'));
  dirs.push(dir);
  return dir;
};

async function serverUp(listenPort = 0) {
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.listen({ host: '127.0.0.1', port: listenPort });
  port = (app.server.address() as { port: number }).port;
}

async function cardholder(own: number) {
  const account = await newAccount(prepaid.db);
  await new Ledger(prepaid).credit({ key: key(), accountId: account.id, product: 'own', amount: own });
  const card = uid();
  await new Identifiers(prepaid).bind({ accountId: account.id, kind: 'card_uid', value: card });
  return { account, card };
}

const ownBalance = async (accountId: string) =>
  Number((await database.db.selectFrom('wallets').select('balance').where('account_id', '=', accountId).where('product_code', '=', 'own').executeTakeFirstOrThrow()).balance);
const counts = async () => ({
  operations: Number((await database.db.selectFrom('operations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  failed: Number((await database.db.selectFrom('failed_operations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
});

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  database = runtime.database as unknown as Database<OfflineDb>;
  prepaid = runtime.database as unknown as Database<PrepaidDb>;
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  ({ canteen, shop } = await createProgramme(prepaid.db));
  // Own funds may be spent offline: 200 ₽ a purchase, 450 ₽ and 5 purchases in a row without the server.
  await database.db.updateTable('products').set({ offline_floor_limit: 20_000n, offline_total_limit: 45_000n, offline_count_limit: 5 }).where('code', '=', 'own').execute();
  await serverUp();
  const res = await fetch(`http://127.0.0.1:${port}/api/pos/v1/offline/public-key`, { headers: { authorization: await terminalAuth(canteen).then((t) => t.auth) } });
  publicKey = ((await res.json()) as { publicKey: string }).publicKey;
});
afterAll(async () => {
  await app.close();
  await runtime.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function terminalAuth(merchantId: string) {
  const t = await new Terminals(prepaid, runtime.cache).register({ code: `T-${uid()}`, merchantId });
  return { ...t, auth: basic(t.code, t.secret) };
}

describe('offline mode, end to end', () => {
  it('keeps offline purchases across a terminal restart while the server is down, uploads them once it is back, and a re-upload changes nothing', async () => {
    const terminal = await terminalAuth(canteen);
    const { account, card } = await cardholder(60_000);
    const data = dataDir();
    const emu = () => startEmulator({ url: `http://127.0.0.1:${port}`, terminal: terminal.code, secret: terminal.secret, publicKey, data });

    // Server up: the terminal loads the signed snapshot.
    const first = emu();
    const synced = await first.send('sync');
    expect(synced).toMatchObject({ ok: true, result: { online: true, pending: 0 } });
    expect(synced.result.snapshotVersion).toBeGreaterThan(0);
    await first.quit();

    // Server stopped: purchases are authorized offline, and the result says so.
    const listenPort = port;
    await app.close();
    const second = emu();
    for (const amount of [15_000, 12_000, 10_000]) {
      const bought = await second.send(`buy card_uid ${card} own=${amount}`);
      expect(bought.result).toMatchObject({ mode: 'offline', status: 'approved', amount });
    }
    expect((await second.send(`buy card_uid ${card} own=9000`)).result).toMatchObject({ mode: 'offline', status: 'declined', code: 'offline_limit_exceeded', limit: 'offline_total' });
    expect((await second.send(`buy card_uid ${card} own=25000`)).result).toMatchObject({ mode: 'offline', status: 'declined', code: 'offline_limit_exceeded', limit: 'floor' });
    // Killed, not closed: only what was fsync'd survives.
    await second.kill();

    // The SDK process restarted: the queue and the local balance come back from disk.
    const third = emu();
    expect((await third.send('status')).result).toMatchObject({ mode: 'online', pending: 3 });
    const fourth = await third.send(`buy card_uid ${card} own=8000`);
    expect(fourth.result).toMatchObject({ mode: 'offline', status: 'approved', balances: [{ product: 'own', balance: 60_000 - 45_000 }] });
    await third.quit();
    expect(await ownBalance(account.id)).toBe(60_000);

    // Server started again: the queue is uploaded, in order, and posted.
    await serverUp(listenPort);
    const last = emu();
    const upload = await last.send('sync');
    expect(upload.result.pending).toBe(0);
    expect(upload.result.uploaded.map((r: { status: string; seq: number }) => [r.seq, r.status])).toEqual([
      [1, 'posted'],
      [2, 'posted'],
      [3, 'posted'],
      [4, 'posted'],
    ]);
    await last.quit();
    expect(await ownBalance(account.id)).toBe(60_000 - 45_000);
    const posted = await database.db.selectFrom('operations').select(['type', 'amount', 'details', 'terminal_id']).where('account_id', '=', account.id).where('type', '=', 'purchase').orderBy('seq').execute();
    expect(posted.map((o) => [Number(o.amount), (o.details as { offline?: boolean }).offline, o.terminal_id])).toEqual([
      [15_000, true, terminal.id],
      [12_000, true, terminal.id],
      [10_000, true, terminal.id],
      [8_000, true, terminal.id],
    ]);
    expect((await verifyLedger(prepaid.db)).problems).toEqual([]);

    // The same batch again, straight from the terminal's journal: same answers, nothing changes.
    const journal = readFileSync(join(data, 'offline-journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const transactions = journal.filter((r) => r.t === 'txn').map(({ t: _t, account: _a, ...txn }) => txn);
    expect(transactions).toHaveLength(4);
    const before = await counts();
    const again = await app.inject({ method: 'POST', url: '/api/pos/v1/offline/transactions', headers: { authorization: terminal.auth }, payload: { transactions } });
    expect(again.statusCode).toBe(200);
    expect(again.json().results).toEqual(upload.result.uploaded);
    expect(await counts()).toEqual(before);
    expect(await ownBalance(account.id)).toBe(15_000);
  });

  it('declines a stop-listed card offline after the next snapshot, and turns an overdrawing offline purchase into a failed operation resolved by a claim', async () => {
    const terminal = await terminalAuth(canteen);
    const other = await terminalAuth(shop);
    const lost = await cardholder(30_000);
    const spender = await cardholder(10_000);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    const emu = startEmulator({ url: proxy.url(`http://127.0.0.1:${port}`), terminal: terminal.code, secret: terminal.secret, publicKey, data: dataDir(), timeoutMs: 1000 });
    const staff = await sessions();
    try {
      // A snapshot with the new cardholders, on request; asked again with nothing changed, no new version.
      expect((await staff.as('settlement', 'POST', '/api/staff/offline/snapshots')).json().created).toBe(true);
      expect((await staff.as('operator', 'POST', '/api/staff/offline/snapshots')).statusCode).toBe(403);
      expect((await staff.as('settlement', 'POST', '/api/staff/offline/snapshots')).json().created).toBe(false);
      const v1 = (await emu.send('sync')).result.snapshotVersion;

      // The card is reported lost: blocked (stop-list), the next snapshot carries it.
      const identifier = await database.db.selectFrom('identifiers').select('id').where('value', '=', lost.card).executeTakeFirstOrThrow();
      expect((await staff.as('operator', 'POST', `/api/identifiers/${identifier.id}/block`, { reason: 'lost' })).statusCode).toBeLessThan(300);
      const built = (await staff.as('settlement', 'POST', '/api/staff/offline/snapshots')).json();
      expect(built).toMatchObject({ created: true, version: v1 + 1 });
      const refreshed = await emu.send('sync');
      expect(refreshed.result).toMatchObject({ snapshotVersion: v1 + 1, snapshotChanged: true });

      proxy.cut();
      expect((await emu.send(`buy card_uid ${lost.card} own=1000`)).result).toMatchObject({ mode: 'offline', status: 'declined', code: 'identifier_blocked' });
      const overdraw = await emu.send(`buy card_uid ${spender.card} own=8000`);
      expect(overdraw.result).toMatchObject({ mode: 'offline', status: 'approved' });
      // Meanwhile the same client spends online elsewhere: the offline purchase will no longer fit.
      const online = await app.inject({ method: 'POST', url: '/api/pos/v1/purchases', headers: { authorization: other.auth }, payload: { idempotencyKey: 'elsewhere', identifier: { kind: 'card_uid', value: spender.card }, basket: [{ product: 'own', amount: 5_000 }] } });
      expect(online.json()).toMatchObject({ status: 'approved', balances: [{ product: 'own', balance: 5_000 }] });

      proxy.restore();
      const uploaded = (await emu.send('sync')).result.uploaded;
      expect(uploaded).toMatchObject([{ status: 'failed', code: 'insufficient_funds' }]);
      expect(await ownBalance(spender.account.id)).toBe(5_000);

      const listed = (await staff.as('operator', 'GET', `/api/staff/failed-operations?status=open&accountId=${spender.account.id}`)).json();
      expect(listed).toMatchObject({ total: 1, items: [{ id: uploaded[0].failedOperationId, code: 'insufficient_funds', amount: 8_000, terminalId: terminal.id }] });

      // The claims cycle on it: open, assign, comment, attach, resolve by a correction (then the purchase is posted), close.
      const claim = (await staff.as('operator', 'POST', '/api/staff/claims', { failedOperationId: uploaded[0].failedOperationId, title: 'Offline purchase overdrew' })).json();
      expect((await staff.as('operator', 'POST', `/api/staff/claims/${claim.id}/assign`, { assignee: 'settlement' })).statusCode).toBe(403);
      expect((await staff.as('settlement', 'POST', `/api/staff/claims/${claim.id}/assign`, { assignee: 'settlement' })).statusCode).toBe(200);
      expect((await staff.as('operator', 'POST', `/api/staff/claims/${claim.id}/comments`, { text: 'Client paid 30 ₽ in cash at the till' })).statusCode).toBe(200);
      const receipt = Buffer.from('cash receipt 30.00');
      expect((await staff.as('operator', 'POST', `/api/staff/claims/${claim.id}/attachments`, { fileName: 'receipt.txt', contentType: 'text/plain', content: receipt.toString('base64') })).statusCode).toBe(201);
      const correction = { kind: 'correction', idempotencyKey: 'fix-1', product: 'own', amount: 3_000, reason: 'cash paid at the till', postFailedPurchase: true };
      expect((await staff.as('operator', 'POST', `/api/staff/claims/${claim.id}/resolution`, correction)).statusCode).toBe(403);
      const resolved = await staff.as('settlement', 'POST', `/api/staff/claims/${claim.id}/resolution`, correction);
      expect(resolved.statusCode).toBe(200);
      expect(resolved.json()).toMatchObject({ status: 'resolved', resolution: 'correction' });
      expect(resolved.json().resolutionOperationIds).toHaveLength(2);
      // The same resolution again is answered, not repeated; another one is refused.
      expect((await staff.as('settlement', 'POST', `/api/staff/claims/${claim.id}/resolution`, correction)).statusCode).toBe(200);
      expect((await staff.as('settlement', 'POST', `/api/staff/claims/${claim.id}/resolution`, { ...correction, idempotencyKey: 'fix-2' })).json().code).toBe('claim_not_open');
      expect((await staff.as('settlement', 'POST', `/api/staff/claims/${claim.id}/close`)).statusCode).toBe(200);

      expect(await ownBalance(spender.account.id)).toBe(5_000 + 3_000 - 8_000);
      const view = (await staff.as('operator', 'GET', `/api/staff/claims/${claim.id}`)).json();
      expect(view.events.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'assigned', 'commented', 'attached', 'resolved', 'closed']);
      expect(view.attachments).toMatchObject([{ fileName: 'receipt.txt', size: receipt.length }]);
      const download = await staff.as('operator', 'GET', `/api/staff/claims/${claim.id}/attachments/${view.attachments[0].id}`);
      expect(download.rawPayload).toEqual(receipt);
      const audit = await database.db.selectFrom('audit_log').select(['action', 'actor_login']).where('target_id', '=', claim.id).orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['claim.opened', 'claim.assigned', 'claim.commented', 'claim.attached', 'claim.resolved', 'claim.closed']);
      expect((await staff.as('operator', 'GET', `/api/staff/failed-operations/${uploaded[0].failedOperationId}`)).json().status).toBe('resolved');
      expect((await staff.as('operator', 'GET', '/api/staff/claims?status=closed&subject=failed_operation&limit=1')).json()).toMatchObject({ items: [{ id: claim.id }] });
      expect((await verifyLedger(prepaid.db)).problems).toEqual([]);
    } finally {
      await emu.quit();
      await proxy.close();
    }
  });
});

async function sessions() {
  const jar: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    jar[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
  return {
    as: (login: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({ method, url, cookies: jar[login]!.cookies, headers: { 'x-csrf-token': jar[login]!.csrf }, ...(payload ? { payload: payload as object } : {}) }),
  };
}
