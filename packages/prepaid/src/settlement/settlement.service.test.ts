import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb, SettlementDb } from '../tables.js';
import { approved, fundedAccount, memoryWritable, settlementProgramme } from './settlement.fixture.js';
import { SettlementService } from './settlement.service.js';

let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let settlement: SettlementService;
let p: Awaited<ReturnType<typeof settlementProgramme>>;
let period: { from: Date; to: Date };
let accounts: Array<{ id: string; number: string }>;
const later = () => new Date(Date.now() + 10 * 60_000);
const pause = () => new Promise((r) => setTimeout(r, 15));

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  settlement = new SettlementService(database, { now: later });
  p = await settlementProgramme(database.db);
  const a1 = await fundedAccount(database.db, ledger);
  const a2 = await fundedAccount(database.db, ledger);
  accounts = [a1, a2];
  // Before the period: not in its registries.
  approved(await ledger.purchase({ key: key(), accountId: a1.id, merchantId: p.canteen, basket: [{ product: 'meals', amount: 1_000 }] }));
  await pause();
  const from = new Date();
  await pause();
  const p1 = approved(await ledger.purchase({ key: key(), accountId: a1.id, merchantId: p.canteen, terminalId: p.terminal.id, basket: [{ product: 'meals', amount: 25_000 }, { product: 'own', amount: 1_250 }] }));
  const p2 = approved(await ledger.purchase({ key: key(), accountId: a2.id, merchantId: p.canteen, terminalId: p.terminal.id, basket: [{ product: 'meals', amount: 10_000 }] }));
  approved(await ledger.purchase({ key: key(), accountId: a1.id, merchantId: p.shop, basket: [{ product: 'own', amount: 3_333 }] }));
  approved(await ledger.refund({ key: key(), operationId: p1.operationId, items: [{ product: 'meals', amount: 5_000 }], createdBy: 'settlement' }));
  approved(await ledger.reverse({ key: key(), operationId: p2.operationId, terminalId: p.terminal.id }));
  const p4 = approved(await ledger.purchase({ key: key(), accountId: a2.id, merchantId: p.shop, basket: [{ product: 'own', amount: 777 }] }));
  approved(await ledger.refund({ key: key(), operationId: p4.operationId }));
  approved(await ledger.purchase({ key: key(), accountId: a2.id, merchantId: p.kiosk, basket: [{ product: 'own', amount: 100 }] }));
  // Credits and a correction touch wallets but not merchants: never in a registry.
  approved(await ledger.correct({ key: key(), accountId: a1.id, product: 'own', amount: -1, reason: 'test', createdBy: 'settlement' }));
  await pause();
  period = { from, to: new Date() };
  await pause();
  // After the period.
  approved(await ledger.purchase({ key: key(), accountId: a2.id, merchantId: p.shop, basket: [{ product: 'own', amount: 5 }] }));
});
afterAll(() => database?.close());

/** What the merchants' ledger accounts received in the period, straight from the postings. */
async function ledgerNet(merchantIds: string[]) {
  const { rows } = await sql<{ product_code: string; amount: bigint }>`
    select p.product_code, sum(p.amount) as amount from postings p
    join ledger_accounts la on la.id = p.ledger_account_id
    join operations o on o.id = p.operation_id
    where la.merchant_id in (${sql.join(merchantIds.map((id) => sql`${id}::uuid`))})
      and o.created_at >= ${period.from} and o.created_at < ${period.to}
    group by p.product_code order by p.product_code`.execute(database.db);
  return Object.fromEntries(rows.map((r) => [r.product_code, BigInt(r.amount)]));
}

const totalsOf = (r: { totals: Array<{ product: string; net: bigint }> }) => Object.fromEntries(r.totals.map((t) => [t.product, t.net]));

describe('settlement registries', () => {
  it('lists a merchant’s purchases, refunds and reversals of the period with totals that equal its ledger accounts to the kopeck', async () => {
    const { registry, created } = await settlement.generate({ kind: 'merchant', partyId: p.canteen, ...period, createdBy: 'staff:settlement' });
    expect(created).toBe(true);
    expect(registry).toMatchObject({
      kind: 'merchant',
      partyCode: `canteen-${p.tag}`,
      lineCount: 5, // purchase (2 products), purchase, refund, reversal
      operationCount: 4,
      purchases: 36_250n,
      returns: 15_000n,
      net: 21_250n,
      createdBy: 'staff:settlement',
      reconciliation: { ok: true, registryNet: '21250', ledgerNet: '21250', operationsNet: '21250' },
    });
    expect(registry.totals).toEqual([
      { product: 'meals', lines: 4, purchases: 35_000n, returns: 15_000n, net: 20_000n },
      { product: 'own', lines: 1, purchases: 1_250n, returns: 0n, net: 1_250n },
    ]);
    expect(totalsOf(registry)).toEqual(await ledgerNet([p.canteen]));
    expect(registry.csvSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('settles a service provider over all its merchants, and no one else’s', async () => {
    const { registry } = await settlement.generate({ kind: 'provider', partyId: p.providerId, ...period });
    expect(registry).toMatchObject({ lineCount: 8, operationCount: 7, net: 24_583n, reconciliation: { ok: true } });
    expect(totalsOf(registry)).toEqual({ meals: 20_000n, own: 4_583n });
    expect(totalsOf(registry)).toEqual(await ledgerNet([p.canteen, p.shop]));
    const shop = (await settlement.generate({ kind: 'merchant', partyId: p.shop, ...period })).registry;
    expect(shop).toMatchObject({ lineCount: 3, purchases: 4_110n, returns: 777n, net: 3_333n });
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('writes the CSV: UTF-8 with BOM, semicolons, one record per line, totals per product and overall', async () => {
    const { registry } = await settlement.generate({ kind: 'merchant', partyId: p.canteen, ...period });
    const out = memoryWritable();
    await settlement.render(registry.id, 'csv', out.stream);
    await out.done;
    const bytes = out.bytes();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: Array<Record<string, string>> = parse(bytes, { bom: true, delimiter: ';', columns: true });
    const lines = records.filter((r) => r.record === 'line');
    expect(lines.map((l) => [l.line_no, l.operation_type, l.product, l.amount_kopecks, l.amount])).toEqual([
      ['1', 'purchase', 'meals', '25000', '250,00'],
      ['2', 'purchase', 'own', '1250', '12,50'],
      ['3', 'purchase', 'meals', '10000', '100,00'],
      ['4', 'refund', 'meals', '-5000', '-50,00'],
      ['5', 'reversal', 'meals', '-10000', '-100,00'],
    ]);
    expect(lines[0]).toMatchObject({ merchant: `canteen-${p.tag}`, terminal: p.terminal.code, account: accounts[0]!.number, original_operation_id: '' });
    expect(lines[4]!.original_operation_id).toBe(lines[2]!.operation_id);
    expect(new Date(lines[0]!.created_at!).getTime()).toBeGreaterThanOrEqual(period.from.getTime());
    const totals = records.filter((r) => r.record === 'total').map((r) => [r.product, r.line_no, r.amount_kopecks, r.amount]);
    expect(totals).toEqual([
      ['meals', '4', '20000', '200,00'],
      ['own', '1', '1250', '12,50'],
      ['', '5', '21250', '212,50'],
    ]);
    expect(lines.reduce((s, l) => s + BigInt(l.amount_kopecks!), 0n)).toBe(registry.net);
  });

  it('writes the xlsx: a heading, the lines with amounts in roubles, a totals row and a per-product sheet', async () => {
    const { registry } = await settlement.generate({ kind: 'provider', partyId: p.providerId, ...period });
    const out = memoryWritable();
    await settlement.render(registry.id, 'xlsx', out.stream);
    await out.done;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(out.bytes() as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Реестр')!;
    expect(String(sheet.getCell('A1').value)).toContain(`(food-${p.tag})`);
    expect(sheet.getRow(5).getCell(9).value).toBe('Сумма, ₽');
    const lines = [];
    for (let r = 6; r < 6 + registry.lineCount; r++) {
      const row = sheet.getRow(r);
      lines.push([row.getCell(1).value, row.getCell(4).value, row.getCell(8).value, row.getCell(9).value]);
    }
    expect(lines).toEqual([
      [1, `canteen-${p.tag}`, 'meals', 250],
      [2, `canteen-${p.tag}`, 'own', 12.5],
      [3, `canteen-${p.tag}`, 'meals', 100],
      [4, `shop-${p.tag}`, 'own', 33.33],
      [5, `canteen-${p.tag}`, 'meals', -50],
      [6, `canteen-${p.tag}`, 'meals', -100],
      [7, `shop-${p.tag}`, 'own', 7.77],
      [8, `shop-${p.tag}`, 'own', -7.77],
    ]);
    expect(sheet.getRow(6).getCell(9).numFmt).toBe('#,##0.00');
    const total = sheet.getRow(6 + registry.lineCount);
    expect(total.getCell(1).value).toBe('Итого');
    expect(total.getCell(9).value).toEqual({ formula: 'SUM(I6:I13)', result: 245.83 });
    const summary = workbook.getWorksheet('Итоги')!;
    const rows = [2, 3, 4].map((r) => (summary.getRow(r).values as unknown[]).slice(1));
    expect(rows).toEqual([
      ['meals', 4, 350, 150, 200],
      ['own', 4, 53.6, 7.77, 45.83],
      ['Всего', 8, 403.6, 157.77, 245.83],
    ]);
  });

  it('gives the same file whatever the page size the journal is read in', async () => {
    const { registry } = await settlement.generate({ kind: 'provider', partyId: p.providerId, ...period });
    const paged = new SettlementService(database, { now: later, pageSize: 2 });
    const out = memoryWritable();
    await paged.render(registry.id, 'csv', out.stream);
    await out.done;
    expect(parse(out.bytes(), { bom: true, delimiter: ';', columns: true })).toHaveLength(8 + 3);
  });

  it('makes one registry per party and period, however often and concurrently it is asked for', async () => {
    const slice = { from: period.from, to: new Date(period.to.getTime() - 1) };
    const results = await Promise.all([1, 2, 3].map(() => settlement.generate({ kind: 'merchant', partyId: p.shop, ...slice, createdBy: 'job:settlement.daily' })));
    expect(new Set(results.map((r) => r.registry.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const again = await settlement.generate({ kind: 'merchant', partyId: p.shop, ...slice, createdBy: 'staff:manager' });
    expect(again).toMatchObject({ created: false, registry: { id: results[0]!.registry.id, createdBy: 'job:settlement.daily' } });
    const { total } = await settlement.list({ kind: 'merchant', partyId: p.shop });
    expect(total).toBe(2); // the full period's and this slice's
  });

  it('makes an empty registry for a party without operations in the period', async () => {
    const quiet = { from: new Date(period.from.getTime() - 3_600_000), to: new Date(period.from.getTime() - 1_800_000) };
    const { registry } = await settlement.generate({ kind: 'merchant', partyId: p.shop, ...quiet });
    expect(registry).toMatchObject({ lineCount: 0, net: 0n, totals: [], reconciliation: { ok: true } });
    const out = memoryWritable();
    await settlement.render(registry.id, 'csv', out.stream);
    await out.done;
    expect(out.bytes().toString('utf8')).toBe('\uFEFFrecord;line_no;created_at;operation_type;operation_id;original_operation_id;merchant;terminal;identifier;account;product;amount_kopecks;amount\r\ntotal;0;;;;;;;;;;0;0,00\r\n');
  });

  it.each([
    ['a period that is not over', () => ({ from: new Date(), to: new Date(Date.now() + 3_600_000) }), 'period_not_over', 422],
    ['a period that ends before it starts', () => ({ from: period.to, to: period.from }), 'period_invalid', 422],
    ['a period of more than a year', () => ({ from: new Date('2020-01-01'), to: new Date('2021-06-01') }), 'period_too_long', 422],
  ])('refuses %s', async (_name, make, code, status) => {
    const strict = new SettlementService(database);
    await expect(strict.generate({ kind: 'merchant', partyId: p.canteen, ...make() })).rejects.toMatchObject({ code, status });
  });

  it('refuses an unknown party', async () => {
    await expect(settlement.generate({ kind: 'provider', partyId: p.canteen, ...period })).rejects.toMatchObject({ code: 'provider_not_found', status: 404 });
  });

  it('stores nothing and says so when the registry does not reconcile with the ledger', async () => {
    // Money put on the kiosk's ledger account by an operation that is not a purchase (a wrong manual posting):
    // the kiosk's ledger account and its purchases now disagree.
    await sql`insert into ledger_accounts (kind, product_code) values ('correction', 'own') on conflict do nothing`.execute(database.db);
    await pause();
    const from = new Date();
    await sql`
      with op as (insert into operations (type, merchant_id, amount, created_by) values ('correction', ${p.kiosk}, 50, 'test') returning id)
      insert into postings (operation_id, ledger_account_id, product_code, amount)
      select op.id, la.id, 'own', case la.kind when 'merchant' then 50 else -50 end
      from op, ledger_accounts la
      where la.product_code = 'own' and (la.merchant_id = ${p.kiosk} or (la.kind = 'correction' and la.merchant_id is null))`.execute(database.db);
    await pause();
    const to = new Date();
    await expect(settlement.generate({ kind: 'merchant', partyId: p.kiosk, from, to })).rejects.toMatchObject({
      code: 'settlement_unreconciled',
      status: 500,
      extra: { reconciliation: { ok: false, products: [{ product: 'own', registry: '0', ledger: '50' }] } },
    });
    expect(await database.db.selectFrom('settlement_registries' as never).selectAll().where('party_id' as never, '=', p.kiosk as never).execute()).toEqual([]);
  });

  it('refuses to render a registry whose journal changed after it was made', async () => {
    const from = new Date(Date.now() - 60_000);
    const to = new Date(Date.now() - 30_000);
    const { registry } = await settlement.generate({ kind: 'merchant', partyId: p.kiosk, from, to });
    // An operation written into the past (nothing legitimate does this): the registry's content changed.
    const account = await fundedAccount(database.db, ledger);
    const wallet = await database.db.selectFrom('wallets').select('id').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    const merchantAccount = await database.db.selectFrom('ledger_accounts').select('id').where('merchant_id', '=', p.kiosk).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    await sql`
      with op as (insert into operations (type, account_id, merchant_id, amount, created_at) values ('purchase', ${account.id}, ${p.kiosk}, 10, ${new Date(from.getTime() + 1_000)}) returning id)
      insert into postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
      select op.id, ${wallet.id}::bigint, null, 'own', -10 from op union all select op.id, null, ${merchantAccount.id}::bigint, 'own', 10 from op`.execute(database.db);
    for (const format of ['csv', 'xlsx'] as const) {
      const out = memoryWritable();
      await expect(settlement.render(registry.id, format, out.stream)).rejects.toMatchObject({ code: 'settlement_registry_changed' });
      expect(out.stream.writableEnded).toBe(false);
    }
    const db = database.db as unknown as Kysely<SettlementDb>;
    expect(await db.selectFrom('settlement_registries').select('id').where('id', '=', registry.id).execute()).toHaveLength(1);
  });
});
