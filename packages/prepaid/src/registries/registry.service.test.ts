import { Readable } from 'node:stream';
import { AppError } from '@app/kernel';
import { createTestDatabase, reorderZip, type TestDatabase } from '@app/kernel/testing';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct } from '../directories/directories.repo.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { Ledger } from '../ledger/ledger.service.js';
import { verifyLedger } from '../ledger/verify.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { ledgerKey } from './credits.apply.js';
import { workbook, workbookParts, zip } from './fixtures.js';
import { RegistryService, type ReceiveOptions, type RegistryProgress } from './registry.service.js';

let database: TestDatabase<PrepaidDb>;
let registries: RegistryService;

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  await createProduct(database.db, { code: 'meals', name: 'Питание', maxBalance: 1_000_000n });
  await createProduct(database.db, { code: 'own', name: 'Собственные', minBalance: -5_000n });
  registries = new RegistryService(database, { limits: { maxUnzippedBytes: 8 * 1024 * 1024 }, readBatch: 7, creditBatch: 5, clientBatch: 3 });
}, 60_000);
afterAll(async () => {
  await database?.close();
});

let counter = 0;
const receive = (content: string | Buffer, o: Partial<ReceiveOptions> & Pick<ReceiveOptions, 'kind'>) =>
  registries.receive(Readable.from([typeof content === 'string' ? Buffer.from(content) : content]), { format: 'csv', source: 'staff', registryNumber: `R-${++counter}`, ...o });
const fileErrorOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};
const count = async (table: 'clients' | 'accounts' | 'wallets' | 'identifiers' | 'operations' | 'postings') =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(database.db)).rows[0]!.n);
const balance = async (externalId: string, product: string) =>
  (
    await sql<{ balance: bigint }>`select w.balance from wallets w join accounts a on a.id = w.account_id join clients c on c.id = a.client_id
      where c.external_id = ${externalId} and w.product_code = ${product}`.execute(database.db)
  ).rows[0]?.balance;

const clientsHeader = 'action;client_id;last_name;first_name;middle_name;phone;email;products;card_uid;employee_number';

describe('client registry', () => {
  it('creates clients with an account, wallets and identifiers from a CSV (semicolons, BOM), and each line gets a result', async () => {
    const csv = `\uFEFF${clientsHeader}\r\n` +
      'create;C-1;Иванов;Иван;Иванович;+7 900 123-45-67;ivanov@example.ru;meals own;04A2B3C4;T-1\r\n' +
      'create;C-2;Петрова;Мария;;;;meals;04:A2:B3:C5;\r\n' +
      'create;C-3;;Безфамильный;;;;;;\r\n';
    const { registry, duplicate } = await receive(csv, { kind: 'clients' });
    expect(duplicate).toBeNull();
    expect(registry).toMatchObject({ status: 'validated', lines: { total: 3, invalid: 1 } });
    const applied = await registries.apply(registry.id, { appliedBy: 'settlement' });
    expect(applied).toMatchObject({ status: 'applied', appliedBy: 'settlement', lines: { total: 3, applied: 2, failed: 0, skipped: 1 } });
    const page = await registries.results(registry.id);
    expect(page.items.map((i) => [i.lineNo, i.status, i.error?.code ?? null])).toEqual([
      [2, 'applied', null],
      [3, 'applied', null],
      [4, 'skipped', 'missing_value'],
    ]);
    expect(page.items[0]!.result).toMatchObject({ walletsOpened: ['meals', 'own'], identifiersBound: ['card_uid:04A2B3C4', 'employee_number:T-1'] });
    const ivanov = await database.db.selectFrom('clients').selectAll().where('external_id', '=', 'C-1').executeTakeFirstOrThrow();
    expect(ivanov).toMatchObject({ full_name: 'Иванов Иван Иванович', phone: '+79001234567', email: 'ivanov@example.ru' });
    expect(await balance('C-2', 'meals')).toBe(0n);
  });

  it('updates and deletes clients from an xlsx; a client with money is not deleted', async () => {
    await receiveAndApply(`${clientsHeader}\ncreate;C-10;Сидоров;Пётр;;;;meals;;\ncreate;C-11;Орлова;Ольга;;;;own;;`, 'clients');
    const credited = await receiveAndApply('line_id,client_id,product,amount\n1,C-11,own,10.00', 'credits');
    expect(credited.lines.applied).toBe(1);
    const file = await workbook([
      ['action', 'client_id', 'last_name', 'first_name', 'phone', 'products', 'card_uid'],
      ['update', 'C-10', 'Сидоров', 'Павел', 79001112233, 'meals own', 'AABBCCDD'],
      ['delete', 'C-11'],
      ['delete', 'C-404'],
    ]);
    const { registry } = await receive(file, { kind: 'clients', format: 'xlsx' });
    expect(registry.lines).toMatchObject({ total: 3, invalid: 2 });
    const preview = await registries.preview(registry.id);
    expect(preview.items.map((i) => i.error?.code ?? null)).toEqual([null, 'client_has_balance', 'client_not_found']);
    expect(preview.items[0]!.change).toMatchObject({ changes: { fullName: { from: 'Сидоров Пётр', to: 'Сидоров Павел' }, phone: { from: null, to: '79001112233' } }, opensWallets: ['own'], bindsIdentifiers: ['card_uid:AABBCCDD'] });
    await registries.apply(registry.id);
    expect(await database.db.selectFrom('clients').select(['full_name', 'phone', 'status']).where('external_id', 'in', ['C-10', 'C-11']).orderBy('external_id').execute()).toEqual([
      { full_name: 'Сидоров Павел', phone: '79001112233', status: 'active' },
      { full_name: 'Орлова Ольга', phone: null, status: 'active' },
    ]);
    expect(await balance('C-10', 'own')).toBe(0n);

    const emptied = await receiveAndApply('line_id;client_id;product;amount;kind\n1;C-11;own;-10,00;correction', 'credits');
    expect(emptied.lines.applied).toBe(1);
    const removed = await receiveAndApply(`${clientsHeader}\ndelete;C-11;;;;;;;;`, 'clients');
    expect(removed.lines.applied).toBe(1);
    const account = await sql<{ status: string; closed: boolean }>`select a.status, bool_and(w.closed) as closed from accounts a join clients c on c.id = a.client_id join wallets w on w.account_id = a.id where c.external_id = 'C-11' group by a.status`.execute(database.db);
    expect(account.rows).toEqual([{ status: 'closed', closed: true }]);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  });

  it('never half-applies a line: a client whose second identifier was taken meanwhile leaves no client, account or wallet', async () => {
    await receiveAndApply(`${clientsHeader}\ncreate;C-20;Занятый;Карта;;;;meals;;`, 'clients');
    const { registry } = await receive(`${clientsHeader}\ncreate;C-21;Новиков;Ник;;;;meals own;11223344;E-77\ncreate;C-22;Другой;Клиент;;;;meals;;`, { kind: 'clients' });
    expect(registry.lines.invalid).toBe(0);
    // After the preview, someone binds the second identifier elsewhere.
    const other = await database.db.selectFrom('accounts as a').innerJoin('clients as c', 'c.id', 'a.client_id').select('a.id').where('c.external_id', '=', 'C-20').executeTakeFirstOrThrow();
    await new Identifiers(database).bind({ accountId: other.id, kind: 'employee_number', value: 'E-77' });
    const before = { clients: await count('clients'), accounts: await count('accounts'), wallets: await count('wallets'), identifiers: await count('identifiers') };
    const applied = await registries.apply(registry.id);
    expect(applied.lines).toMatchObject({ applied: 1, failed: 1 });
    const [first] = (await registries.results(registry.id)).items;
    expect(first).toMatchObject({ status: 'failed', error: { code: 'identifier_in_use' } });
    expect(await database.db.selectFrom('clients').select('id').where('external_id', '=', 'C-21').executeTakeFirst()).toBeUndefined();
    expect(await database.db.selectFrom('identifiers').select('id').where('value', '=', '11223344').executeTakeFirst()).toBeUndefined();
    expect({ clients: await count('clients'), accounts: await count('accounts'), wallets: await count('wallets'), identifiers: await count('identifiers') }).toEqual({
      clients: before.clients + 1,
      accounts: before.accounts + 1,
      wallets: before.wallets + 1,
      identifiers: before.identifiers,
    });
  });

  it('refuses at validation what the database already tells: existing client, unknown product, identifier in use, duplicate line', async () => {
    const { registry } = await receive(
      `${clientsHeader}\ncreate;C-1;Иванов;Иван;;;;meals;;\ncreate;C-30;Новый;Клиент;;;;cinema;;\ncreate;C-31;Новый;Клиент;;;;;04A2B3C4;\ncreate;C-32;Ок;Клиент;;;;;;\nupdate;C-32;Ок;Клиент;;;;;;`,
      { kind: 'clients' },
    );
    const page = await registries.preview(registry.id);
    expect(page.items.map((i) => i.error?.code ?? null)).toEqual(['client_exists', 'unknown_product', 'identifier_in_use', null, 'duplicate_line']);
    expect(page.items[3]!.change).toMatchObject({ createsClient: { externalId: 'C-32', fullName: 'Ок Клиент' }, opensAccount: 'new number' });
  });
});

describe('credit registry', () => {
  beforeAll(async () => {
    await receiveAndApply(`${clientsHeader}\ncreate;K-1;Кредитов;Один;;;;meals;;\ncreate;K-2;Кредитов;Два;;;;meals own;;\ncreate;K-3;Кредитов;Три;;;;own;;`, 'clients');
  });

  it('credits from a comma-separated CSV through the ledger: balances, journal and verify agree; preview changed nothing', async () => {
    const csv = 'line_id,client_id,product,amount,kind,comment\n' +
      'a1,K-1,meals,1500.00,credit,\n' +
      'a2,K-2,meals,"1 234,56",credit,\n' +
      'a3,K-2,own,99.9,credit,\n' +
      'a4,K-3,meals,10,credit,\n' + // K-3 has no meals wallet: it is opened
      'a5,K-1,meals,500,credit,\n'; // the same wallet twice in one batch
    const { registry } = await receive(csv, { kind: 'credits' });
    expect(registry.lines).toMatchObject({ total: 5, invalid: 0 });
    const ops = await count('operations');
    const wallets = await count('wallets');
    const preview = await registries.preview(registry.id);
    expect(preview.items.map((i) => i.change)).toEqual([
      expect.objectContaining({ product: 'meals', amount: 150_000, balanceBefore: 0, balanceAfter: 150_000, opensWallet: false }),
      expect.objectContaining({ amount: 123_456 }),
      expect.objectContaining({ product: 'own', amount: 9_990 }),
      expect.objectContaining({ opensWallet: true, balanceAfter: 1_000 }),
      expect.objectContaining({ balanceBefore: 150_000, balanceAfter: 200_000 }),
    ]);
    expect([await count('operations'), await count('wallets')]).toEqual([ops, wallets]);

    const progress: RegistryProgress[] = [];
    const applied = await registries.apply(registry.id, { onProgress: (p) => progress.push(p) });
    expect(applied).toMatchObject({ status: 'applied', lines: { applied: 5, failed: 0 } });
    expect(progress.at(-1)).toMatchObject({ status: 'applied', lines: { applied: 5 } });
    expect(progress.length).toBeGreaterThan(1);
    expect(await balance('K-1', 'meals')).toBe(200_000n);
    expect(await balance('K-2', 'meals')).toBe(123_456n);
    expect(await balance('K-2', 'own')).toBe(9_990n);
    expect(await balance('K-3', 'meals')).toBe(1_000n);
    expect(await count('operations')).toBe(ops + 5);
    const journal = await sql<{ type: string; amount: bigint; created_by: string; line: string }>`
      select type, amount, created_by, details->>'lineId' as line from operations where details->>'registryId' = ${registry.id} order by seq`.execute(database.db);
    expect(journal.rows.map((r) => [r.type, r.amount, r.line])).toEqual([
      ['credit', 150_000n, 'a1'],
      ['credit', 123_456n, 'a2'],
      ['credit', 9_990n, 'a3'],
      ['credit', 1_000n, 'a4'],
      ['credit', 50_000n, 'a5'],
    ]);
    expect(journal.rows[0]!.created_by).toBe(`registry:${registry.number}`);
    expect(await verifyLedger(database.db)).toMatchObject({ ok: true, problems: [] });
  });

  it('reads xlsx: number, text and date cells, the first sheet only', async () => {
    const file = await workbook(
      [
        ['line_id', 'account_number', 'client_id', 'product', 'amount', 'kind', 'planned_date'],
        [1, null, 'K-1', 'meals', 12.5, 'credit', new Date(Date.UTC(2020, 0, 31))],
        [2, null, 'K-2', 'own', '7,05', null, '01.02.2020'],
      ],
      { extraSheet: true },
    );
    const { registry } = await receive(file, { kind: 'credits', format: 'xlsx' });
    const preview = await registries.preview(registry.id);
    expect(preview.items.map((i) => [i.lineNo, i.status, i.change?.amount, i.change?.plannedDate])).toEqual([
      [2, 'valid', 1_250, '2020-01-31'],
      [3, 'valid', 705, '2020-02-01'],
    ]);
    expect((await registries.apply(registry.id)).lines.applied).toBe(2);
  });

  it('reads the same credits whatever the order of the parts in the workbook\'s zip (reversed: worksheets before the workbook, its relations and shared strings)', async () => {
    const rows = [
      ['line_id', 'account_number', 'client_id', 'product', 'amount', 'kind', 'planned_date'],
      [1, null, 'K-1', 'meals', 3.25, 'credit', null],
      [2, null, 'K-2', 'own', '1,10', null, null],
    ];
    const file = await reorderZip(await workbook(rows, { extraSheet: true }), (names) => [...names].reverse());
    const { registry } = await receive(file, { kind: 'credits', format: 'xlsx' });
    const preview = await registries.preview(registry.id);
    expect(preview.items.map((i) => [i.lineNo, i.status, i.change?.amount])).toEqual([
      [2, 'valid', 325],
      [3, 'valid', 110],
    ]);
  });

  it('gives every bad line its own error and applies the good ones: amounts, duplicates, unknown client, product, account', async () => {
    const before = await balance('K-1', 'meals');
    const csv = [
      'line_id;client_id;account_number;product;amount;kind',
      'b1;K-1;;meals;1e3;credit',
      'b2;K-1;;meals;12.345;credit',
      'b3;K-1;;meals;-5;credit',
      'b4;K-1;;meals;abc;credit',
      'b5;K-1;;meals;0;credit',
      'b6;K-1;;meals;1.00;credit',
      'b6;K-1;;meals;1.00;credit',
      'b7;K-404;;meals;1.00;credit',
      'b8;K-1;;cinema;1.00;credit',
      'b9;;0000000000000000;meals;1.00;credit',
      'b10;K-1;;meals;1.00;refund',
      'b11;;;meals;1.00;credit',
      'b12;K-1;;meals;1.00',
      'b13;K-1;;meals;100000001.00;credit',
    ].join('\n');
    const { registry } = await receive(csv, { kind: 'credits' });
    const page = await registries.preview(registry.id);
    expect(page.items.map((i) => [i.key, i.error?.code ?? 'ok'])).toEqual([
      ['b1', 'bad_amount'],
      ['b2', 'bad_amount'],
      ['b3', 'bad_amount'],
      ['b4', 'bad_amount'],
      ['b5', 'bad_amount'],
      ['b6', 'ok'],
      ['b6', 'duplicate_line'],
      ['b7', 'client_not_found'],
      ['b8', 'unknown_product'],
      ['b9', 'account_not_found'],
      ['b10', 'bad_kind'],
      ['b11', 'missing_value'],
      ['b12', 'column_count'],
      ['b13', 'amount_too_large'],
    ]);
    expect(page.items[2]!.error!.message).toMatch(/only in a correction/);
    const applied = await registries.apply(registry.id);
    expect(applied.lines).toMatchObject({ total: 14, applied: 1, skipped: 13, failed: 0 });
    expect(await balance('K-1', 'meals')).toBe(before! + 100n);
  });

  it('fails a line the wallet refuses (limit, minimum) with its code, writing nothing for it', async () => {
    const meals = (await balance('K-2', 'meals'))!;
    const own = (await balance('K-2', 'own'))!;
    const { registry } = await receive(
      `line_id;client_id;product;amount;kind\nc1;K-2;meals;20000;credit\nc2;K-2;own;-500;correction\nc3;K-2;own;-1;correction\nc4;K-2;meals;1;credit`,
      { kind: 'credits' },
    );
    const ops = await count('operations');
    const applied = await registries.apply(registry.id);
    expect(applied.lines).toMatchObject({ applied: 2, failed: 2 });
    const items = (await registries.results(registry.id)).items;
    expect(items.map((i) => [i.key, i.status, i.error?.code ?? null])).toEqual([
      ['c1', 'failed', 'limit_exceeded'],
      ['c2', 'failed', 'insufficient_funds'],
      ['c3', 'applied', null],
      ['c4', 'applied', null],
    ]);
    expect(items[0]!.error!.message).toMatch(/max_balance/);
    expect(await count('operations')).toBe(ops + 2);
    expect(await balance('K-2', 'meals')).toBe(meals + 100n);
    expect(await balance('K-2', 'own')).toBe(own - 100n);
    expect((await verifyLedger(database.db)).ok).toBe(true);
  });

  it('applies a registry exactly once: the same content or the same number is answered with the earlier registry', async () => {
    const csv = 'line_id;client_id;product;amount\nd1;K-3;own;5.00\n';
    const first = await receive(csv, { kind: 'credits', registryNumber: 'ONCE-1' });
    await registries.apply(first.registry.id);
    const after = await balance('K-3', 'own');

    const sameContent = await receive(csv, { kind: 'credits', registryNumber: 'ONCE-2' });
    expect(sameContent).toMatchObject({ duplicate: 'content', registry: { id: first.registry.id, status: 'applied', number: 'ONCE-1' } });
    const sameNumber = await receive(`${csv}d2;K-3;own;5.00\n`, { kind: 'credits', registryNumber: 'ONCE-1' });
    expect(sameNumber).toMatchObject({ duplicate: 'number', registry: { id: first.registry.id } });
    const byFileName = await receive(`${csv}d3;K-3;own;5.00\n`, { kind: 'credits', registryNumber: undefined, fileName: 'ONCE-1.csv' });
    expect(byFileName.duplicate).toBe('number');
    expect(await registries.apply(first.registry.id)).toMatchObject({ status: 'applied', lines: { applied: 1 } });
    expect(await balance('K-3', 'own')).toBe(after);
  });

  it('is replayed, not repeated, by the ledger under the line key (a crash between the ledger and the line result)', async () => {
    const { registry } = await receive('line_id;client_id;product;amount\ne1;K-3;own;3.00\n', { kind: 'credits' });
    const applied = await registries.apply(registry.id);
    const [line] = (await registries.results(applied.id)).items;
    const account = await database.db.selectFrom('accounts as a').innerJoin('clients as c', 'c.id', 'a.client_id').select('a.id').where('c.external_id', '=', 'K-3').executeTakeFirstOrThrow();
    const again = await new Ledger(database).credit({ key: ledgerKey(registry.id, 'e1'), accountId: account.id, product: 'own', amount: 300n, createdBy: `registry:${registry.number}` });
    expect(again).toMatchObject({ status: 'approved', operationId: line!.operationId });

    // A line left `valid` after its operation committed (the process died in between) resumes as applied, once.
    const ops = await count('operations');
    await sql`update registries set status = 'failed', error_code = 'apply_interrupted' where id = ${registry.id}`.execute(database.db);
    await sql`update registry_lines set status = 'valid', operation_id = null, result = null where registry_id = ${registry.id}`.execute(database.db);
    const resumed = await registries.apply(registry.id);
    expect(resumed).toMatchObject({ status: 'applied', lines: { applied: 1 } });
    expect((await registries.results(registry.id)).items[0]!.operationId).toBe(line!.operationId);
    expect(await count('operations')).toBe(ops);
  });

  it('defers lines planned for a later date; the registry waits as scheduled', async () => {
    const { registry } = await receive('line_id;client_id;product;amount;planned_date\nf1;K-1;meals;1;2099-01-01\nf2;K-1;meals;1;\n', { kind: 'credits' });
    const applied = await registries.apply(registry.id);
    expect(applied).toMatchObject({ status: 'scheduled', lines: { applied: 1, deferred: 1 } });
    await sql`update registry_lines set planned_date = current_date where registry_id = ${registry.id} and line_key = 'f1'`.execute(database.db);
    const [due] = await registries.applyDue();
    expect(due).toMatchObject({ id: registry.id, status: 'applied', lines: { applied: 2, deferred: 0 } });
  });
});

describe('malformed files', () => {
  it('refuses a CSV that is not UTF-8, and reads it when windows-1251 is named', async () => {
    const cp1251 = iconv.encode(`${clientsHeader}\ncreate;W-1;Кириллов;Кирилл;;;;;;\n`, 'win1251');
    const error = await fileErrorOf(receive(cp1251, { kind: 'clients', registryNumber: 'ENC-1' }));
    expect(error).toMatchObject({ code: 'bad_encoding', status: 422 });
    expect(await registries.status(error.extra.registryId as string)).toMatchObject({ status: 'rejected', error: { code: 'bad_encoding' }, lines: { total: 0 } });
    // Rejected files hold neither the number nor the content: the same file is read with its encoding named.
    const { registry } = await receive(cp1251, { kind: 'clients', registryNumber: 'ENC-1', encoding: 'windows-1251' });
    expect((await registries.preview(registry.id)).items[0]!.data).toMatchObject({ fullName: 'Кириллов Кирилл' });
  });

  it('names the missing, unknown and repeated columns', async () => {
    expect(await fileErrorOf(receive('line_id;client_id;amount\n1;K-1;1', { kind: 'credits' }))).toMatchObject({ code: 'missing_columns', extra: { missing: ['product'] } });
    expect(await fileErrorOf(receive('line_id;client_id;product;amount;amuont\n1;K-1;meals;1;', { kind: 'credits' }))).toMatchObject({ code: 'unknown_columns', extra: { unknown: ['amuont'] } });
    expect(await fileErrorOf(receive('line_id;product;amount;amount\n', { kind: 'credits' }))).toMatchObject({ code: 'duplicate_columns' });
    expect(await fileErrorOf(receive('line_id;client_id;product;amount\n', { kind: 'credits' }))).toMatchObject({ code: 'no_lines' });
    expect(await fileErrorOf(receive('line_id;client_id;product;amount\n"1;K-1;meals;1\n', { kind: 'credits' }))).toMatchObject({ code: 'bad_csv' });
  });

  it('refuses a truncated workbook, a file that is not one, and zip bombs — before anything is stored', async () => {
    const good = await workbook([['line_id', 'client_id', 'product', 'amount'], [1, 'K-1', 'meals', 1]]);
    expect(await fileErrorOf(receive(good.subarray(0, Math.floor(good.length * 0.6)), { kind: 'credits', format: 'xlsx' }))).toMatchObject({ code: 'truncated_file' });
    expect(await fileErrorOf(receive('line_id;client_id;product;amount\n1;K-1;meals;1', { kind: 'credits', format: 'xlsx' }))).toMatchObject({ code: 'bad_file' });
    expect(await fileErrorOf(receive(zip([{ name: 'hello.txt', data: Buffer.from('hi') }]), { kind: 'credits', format: 'xlsx' }))).toMatchObject({ code: 'bad_file' });

    const zeros = Buffer.alloc(20 * 1024 * 1024);
    const bomb = zip([...workbookParts, { name: 'xl/worksheets/sheet1.xml', data: zeros }]);
    expect(bomb.length).toBeLessThan(100_000);
    expect(await fileErrorOf(receive(bomb, { kind: 'credits', format: 'xlsx' }))).toMatchObject({ code: 'zip_bomb' });
    // Headers that lie about the size: what actually inflates is counted.
    const liar = zip([...workbookParts, { name: 'xl/worksheets/sheet1.xml', data: zeros, declaredSize: 1000 }]);
    expect(await fileErrorOf(receive(liar, { kind: 'credits', format: 'xlsx' }))).toMatchObject({ code: 'zip_bomb' });
    const lines = await sql<{ n: string }>`select count(*) as n from registry_lines l join registries r on r.id = l.registry_id where r.status = 'rejected'`.execute(database.db);
    expect(Number(lines.rows[0]!.n)).toBe(0);
  });
});

async function receiveAndApply(csv: string, kind: 'clients' | 'credits') {
  const { registry } = await receive(csv, { kind });
  return registries.apply(registry.id);
}
