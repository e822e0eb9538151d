import { fastHashingForTests, localDate, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff, seedPrepaidDemo } from '../demo.js';
import { key } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import { approved, fundedAccount, settlementProgramme } from '../settlement/settlement.fixture.js';
import type { PrepaidDb } from '../tables.js';

/** The staff HTTP of settlement registries and scheduled jobs, by role. */
let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
let p: Awaited<ReturnType<typeof settlementProgramme>>;
let from: Date;
let to: Date;
type Session = { cookies: Record<string, string>; csrf: string };
const sessions: Record<string, Session> = {};
const zone = 'Europe/Moscow';

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  // The app's clock runs ten minutes ahead, so the period the test trades in is over for settlement.
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests, jobs: { clock: { now: () => new Date(Date.now() + 10 * 60_000) } } });
  await app.ready();
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    sessions[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
  const database = runtime.database as unknown as Database<PrepaidDb>;
  const ledger = new Ledger(database);
  p = await settlementProgramme(database.db);
  from = new Date(Date.now() - 1_000);
  const account = await fundedAccount(database.db, ledger);
  const buy = approved(await ledger.purchase({ key: key(), accountId: account.id, merchantId: p.canteen, terminalId: p.terminal.id, basket: [{ product: 'meals', amount: 25_000 }, { product: 'own', amount: 1_250 }] }));
  approved(await ledger.refund({ key: key(), operationId: buy.operationId, items: [{ product: 'own', amount: 250 }], createdBy: 'settlement' }));
  to = new Date(Date.now() + 1_000);
});
afterAll(async () => {
  await app?.close();
  await runtime?.close();
});

const as = (login: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({ method, url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf }, ...(payload ? { payload: payload as object } : {}) });

describe('settlement registries over HTTP', () => {
  let id: string;

  it('makes a merchant registry on request once, reconciled with the ledger', async () => {
    const body = { kind: 'merchant', partyId: p.canteen, from: from.toISOString(), to: to.toISOString() };
    const first = await as('settlement', 'POST', '/api/staff/settlement/registries', body);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ partyCode: `canteen-${p.tag}`, lineCount: 3, purchases: 26_250, returns: 250, net: 26_000, reconciliation: { ok: true, registryNet: '26000', ledgerNet: '26000' } });
    id = first.json().id;
    const again = await as('settlement', 'POST', '/api/staff/settlement/registries', body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(id);
    expect((await as('settlement', 'GET', `/api/staff/settlement/registries?partyId=${p.canteen}`)).json()).toMatchObject({ total: 1, items: [{ id }] });
  });

  it('downloads the registry as CSV and xlsx whose lines add up to its totals', async () => {
    const csv = await as('settlement', 'GET', `/api/staff/settlement/registries/${id}/csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toContain(`settlement_merchant_canteen-${p.tag}_`);
    const rows: string[][] = parse(csv.body, { delimiter: ';', relax_column_count: true });
    expect(rows.some((r) => r.includes('26000'))).toBe(true);
    const xlsx = await as('settlement', 'GET', `/api/staff/settlement/registries/${id}/xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Реестр')!;
    const total = sheet.getRow(6 + 3);
    expect(total.getCell(1).value).toBe('Итого');
    expect(total.getCell(9).value).toMatchObject({ result: 260 }); // roubles: 26,000 kopecks
  });

  it('refuses a period that is not over, a period the wrong way round and an unknown party, naming the field', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const notOver = await as('settlement', 'POST', '/api/staff/settlement/registries', { kind: 'merchant', partyId: p.canteen, from: from.toISOString(), to: later });
    expect(notOver.statusCode).toBe(422);
    expect(notOver.json()).toMatchObject({ code: 'period_not_over' });
    const backwards = await as('settlement', 'POST', '/api/staff/settlement/registries', { kind: 'merchant', partyId: p.canteen, from: to.toISOString(), to: from.toISOString() });
    expect(backwards.json()).toMatchObject({ code: 'period_invalid' });
    const unknown = await as('settlement', 'POST', '/api/staff/settlement/registries', { kind: 'merchant', partyId: '00000000-0000-4000-8000-000000000000', from: from.toISOString(), to: to.toISOString() });
    expect(unknown.statusCode).toBe(404);
  });

  it('keeps settlement from an operator', async () => {
    expect((await as('operator', 'GET', '/api/staff/settlement/registries')).statusCode).toBe(403);
    expect((await as('operator', 'GET', `/api/staff/settlement/registries/${id}/csv`)).statusCode).toBe(403);
  });
});

describe('scheduled jobs over HTTP', () => {
  it('lists the jobs and lets a manager run one now, recorded in the history with the audit', async () => {
    const jobs = (await as('settlement', 'GET', '/api/staff/jobs')).json();
    expect(jobs.items.map((j: { name: string }) => j.name).sort()).toEqual(['balances.snapshot', 'cleanup', 'holds.expire', 'ledger.rollup', 'offline.snapshot', 'settlement.daily']);
    const day = localDate(new Date(Date.now() - 86_400_000), zone);
    const started = await as('manager', 'POST', '/api/staff/jobs/balances.snapshot/runs', { day, key: 'snapshot-now-1' });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ job: 'balances.snapshot', trigger: 'manual', requestedBy: 'manager', params: { day } });
    const runId = started.json().id as string;
    let run = started.json();
    for (let i = 0; i < 100 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      run = (await as('settlement', 'GET', `/api/staff/jobs/runs/${runId}`)).json();
    }
    expect(run).toMatchObject({ status: 'succeeded', result: { day } });
    // The same key answers the run it started instead of starting another.
    const replay = await as('manager', 'POST', '/api/staff/jobs/balances.snapshot/runs', { day, key: 'snapshot-now-1' });
    expect([replay.statusCode, replay.json().id]).toEqual([200, runId]);
    const otherDay = await as('manager', 'POST', '/api/staff/jobs/balances.snapshot/runs', { day: '2026-01-01', key: 'snapshot-now-1' });
    expect([otherDay.statusCode, otherDay.json().code]).toEqual([409, 'idempotency_conflict']);
    const history = (await as('settlement', 'GET', '/api/staff/jobs/runs?job=balances.snapshot&trigger=manual')).json();
    expect(history).toMatchObject({ total: 1, items: [{ id: runId }] });
    const { rows } = await sql`select actor_login, target_id from audit_log where action = 'job.run'`.execute(runtime.database.db);
    expect(rows).toEqual([{ actor_login: 'manager', target_id: runId }]);
  });

  it('refuses a run to settlement staff, an unknown job and a malformed day', async () => {
    expect((await as('settlement', 'POST', '/api/staff/jobs/cleanup/runs', {})).statusCode).toBe(403);
    expect((await as('operator', 'GET', '/api/staff/jobs/runs')).statusCode).toBe(403);
    expect((await as('manager', 'POST', '/api/staff/jobs/no.such.job/runs', {})).statusCode).toBe(404);
    const bad = await as('manager', 'POST', '/api/staff/jobs/settlement.daily/runs', { day: '2026-13-45' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('day');
  });
});
