import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPrepaidDemo } from '../demo.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';
import { seedWorkplaceDemo } from '../web/demo-data.js';
import { formatMoney } from './model.js';
import { runOneReport } from './queue.js';
import type { ReportsDb } from './tables.js';

let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
const from = new Date(Date.now() - 86_400_000).toISOString();
const to = new Date(Date.now() + 86_400_000).toISOString();

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  await seedWorkplaceDemo(runtime.database as unknown as Database<PrepaidDb>, runtime.cache);
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.ready();
  for (const login of ['operator', 'settlement', 'manager']) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login, password: 'Prepaid-2026!' } });
    sessions[login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
}, 120_000);
afterAll(async () => {
  await app?.close();
  await runtime?.close();
});

const as = (login: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf }, ...(payload ? { payload } : {}) });

/** Ask, let the worker build it (as a worker of another instance would), download. */
async function report(login: string, body: Record<string, unknown>): Promise<Buffer> {
  const asked = await as(login, 'POST', '/api/staff/reports', { from, to, ...body });
  expect(asked.statusCode, asked.body).toBe(202);
  expect(asked.json()).toMatchObject({ status: 'queued', progress: 0 });
  while (await runOneReport(runtime.database as unknown as Database<ReportsDb>, 'test-worker'));
  const job = (await as(login, 'GET', `/api/staff/reports/${asked.json().id}`)).json();
  expect(job, JSON.stringify(job)).toMatchObject({ status: 'done', progress: 100 });
  const file = await as(login, 'GET', `/api/staff/reports/${job.id}/file`);
  expect(file.statusCode).toBe(200);
  return file.rawPayload;
}

async function pdfText(bytes: Buffer): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  // Cells are separate text runs: compare with single spaces.
  return pages.join('\n').replace(/[ \t]+/g, ' ');
}

async function sheetRows(bytes: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  workbook.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

const ledgerSum = async (query: ReturnType<typeof sql<{ s: string }>>) => BigInt((await query.execute(runtime.database.db)).rows[0]?.s ?? '0');

describe('reports (PDF with embedded Cyrillic fonts, Excel), checked against the ledger', () => {
  it('purchase diary: PDF and Excel totals equal the purchases minus returns posted to wallets', async () => {
    // The ledger's own answer: what left the wallets in purchases, less what came back in refunds/reversals.
    const net = await ledgerSum(sql<{ s: string }>`select coalesce(-sum(p.amount), 0)::text as s from postings p join operations o on o.id = p.operation_id
      where p.wallet_id is not null and o.type in ('purchase', 'refund', 'reversal') and o.created_at >= ${new Date(from)} and o.created_at < ${new Date(to)}`);
    expect(net).toBeGreaterThan(0n);

    const pdf = await report('settlement', { kind: 'purchase_diary', format: 'pdf' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.includes(Buffer.from('DejaVuSans'))).toBe(true);
    const text = await pdfText(pdf);
    expect(text).toContain('Дневник покупок');
    expect(text).toContain('Столовая № 1');
    expect(text).toContain(`Итого к расчёту ${formatMoney(net)}`);

    const rows = await sheetRows(await report('settlement', { kind: 'purchase_diary', format: 'xlsx' }));
    expect(rows[0]).toEqual(['Дневник покупок']);
    const netRow = rows.find((r) => r[0] === 'Итого к расчёту');
    expect(netRow?.[1]).toBeCloseTo(Number(net) / 100, 2);
  });

  it('account statement: opening + movements = closing = the wallet balance, in PDF and Excel', async () => {
    const account = (await sql<{ id: string }>`select id from accounts order by number limit 1`.execute(runtime.database.db)).rows[0]!;
    const { rows: wallets } = await sql<{ product_code: string; balance: string }>`select product_code, balance::text as balance from wallets where account_id = ${account.id} order by product_code`.execute(runtime.database.db);
    const text = await pdfText(await report('operator', { kind: 'account_statement', format: 'pdf', accountId: account.id }));
    for (const w of wallets) expect(text).toContain(`Исходящий остаток ${formatMoney(BigInt(w.balance))}`);
    const rows = await sheetRows(await report('operator', { kind: 'account_statement', format: 'xlsx', accountId: account.id }));
    const closing = rows.filter((r) => r[2] === 'Исходящий остаток').map((r) => r[4]);
    expect(closing).toEqual(wallets.map((w) => Number(w.balance) / 100));
  });

  it('money-movement certificate, merchant turnover, balances summary and operations journal agree with the ledger', async () => {
    const client = await sql<{ id: string }>`select id from clients order by full_name limit 1`.execute(runtime.database.db);
    const clientId = client.rows[0]!.id;
    const clientBalance = await ledgerSum(sql<{ s: string }>`select coalesce(sum(w.balance), 0)::text as s from wallets w join accounts a on a.id = w.account_id where a.client_id = ${clientId}`);
    const certificate = await sheetRows(await report('operator', { kind: 'money_movement', format: 'xlsx', clientId }));
    expect(certificate.find((r) => r[0] === 'Итого')?.[5]).toBeCloseTo(Number(clientBalance) / 100, 2);
    expect(await pdfText(await report('operator', { kind: 'money_movement', format: 'pdf', clientId }))).toContain('Справка о движении денежных средств');

    const turnover = await sheetRows(await report('settlement', { kind: 'merchant_turnover', format: 'xlsx' }));
    const merchantSide = await ledgerSum(sql<{ s: string }>`select coalesce(sum(p.amount), 0)::text as s from postings p join ledger_accounts la on la.id = p.ledger_account_id where la.kind = 'merchant'`);
    expect(turnover.find((r) => r[0] === 'Итого')?.[5]).toBeCloseTo(Number(merchantSide) / 100, 2);

    const total = await ledgerSum(sql<{ s: string }>`select coalesce(sum(balance), 0)::text as s from wallets`);
    const balances = await pdfText(await report('settlement', { kind: 'balances_summary', format: 'pdf' }));
    expect(balances).toContain(`Итого`);
    expect(balances).toContain(formatMoney(total));

    const count = Number((await sql<{ n: string }>`select count(*)::text as n from operations`.execute(runtime.database.db)).rows[0]!.n);
    const journal = await sheetRows(await report('settlement', { kind: 'operations_journal', format: 'xlsx', lang: 'en' }));
    expect(journal[0]).toEqual(['Operations journal']);
    expect(journal.find((r) => r[0] === 'Total')?.[1]).toBe(count);
  });

  it('refuses ledger-wide reports to an operator, a bad period, and someone else\'s report', async () => {
    const refused = await as('operator', 'POST', '/api/staff/reports', { kind: 'purchase_diary', format: 'pdf', from, to });
    expect(refused.statusCode).toBe(403);
    const bad = await as('settlement', 'POST', '/api/staff/reports', { kind: 'purchase_diary', format: 'pdf', from: to, to: from });
    expect(bad.json()).toMatchObject({ status: 400, code: 'bad_period', errors: [{ field: 'to' }] });
    const unknown = await as('settlement', 'POST', '/api/staff/reports', { kind: 'nonsense', format: 'pdf', from, to });
    expect(unknown.json()).toMatchObject({ status: 400, code: 'validation_failed' });
    const mine = (await as('settlement', 'GET', '/api/staff/reports')).json().items[0];
    expect((await as('operator', 'GET', `/api/staff/reports/${mine.id}`)).json()).toMatchObject({ status: 404, code: 'report_not_found' });
    expect((await as('manager', 'GET', `/api/staff/reports/${mine.id}`)).statusCode).toBe(200);
  });
});
