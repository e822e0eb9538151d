import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { createTestDatabase, waitFor, type TestDatabase } from '@app/kernel/testing';
import iconv from 'iconv-lite';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../ledger/verify.js';
import { prepaidMigrations } from '../../migrations.js';
import { workbook } from '../../registries/fixtures.js';
import { RegistryService } from '../../registries/registry.service.js';
import type { ExchangeDb, PrepaidDb } from '../../tables.js';
import { countOperations, creditCsv, ensureProducts, seedClients, walletTotal } from '../fixtures.js';
import { FileExchange, writeSettlementFile, type FileExchangeOptions, type FileOutcome } from './file-exchange.js';
import { parseExchangeName, settlementFileName } from './layout.js';

let database: TestDatabase<PrepaidDb>;
let registries: RegistryService;
const roots: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  await ensureProducts(database.db);
  await seedClients(database.db, 'F', 50, 7_100_000_000);
  registries = new RegistryService(database);
}, 60_000);
afterAll(async () => {
  await database?.close();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function newRoot() {
  const root = await mkdtemp(join(tmpdir(), 'exchange-files-'));
  roots.push(root);
  return root;
}
const exchange = (root: string, o: Partial<FileExchangeOptions> = {}) => new FileExchange(database, registries, { root, stablePolls: 1, pollMs: 20, ...o });
const drop = (root: string, name: string, content: string | Buffer) => writeFile(join(root, 'in', name), content);
const ls = async (root: string, folder: string) => (await readdir(join(root, folder))).sort();
const resultLines = async (root: string, name: string) => (await readFile(join(root, 'out', name), 'utf8')).replace(/^\uFEFF/, '').trimEnd().split('\r\n');

async function prepared(o: Partial<FileExchangeOptions> = {}) {
  const root = await newRoot();
  const ex = exchange(root, o);
  await ex.pollOnce(); // makes the folders
  return { root, ex };
}

describe('file names', () => {
  it.each([
    ['credits_42.csv', { kind: 'credits', number: '42', format: 'csv', encoding: 'utf-8', stem: 'credits_42' }],
    ['clients_2026-05.xlsx', { kind: 'clients', number: '2026-05', format: 'xlsx', encoding: 'utf-8', stem: 'clients_2026-05' }],
    ['CREDITS_7.CSV', { kind: 'credits', number: '7', format: 'csv', encoding: 'utf-8', stem: 'credits_7' }],
    ['credits_9.cp1251.csv', { kind: 'credits', number: '9', format: 'csv', encoding: 'windows-1251', stem: 'credits_9' }],
  ])('reads %s', (name, expected) => {
    expect(parseExchangeName(name)).toEqual(expected);
  });

  it('names settlement registries by kind, party and period', () => {
    expect(settlementFileName({ kind: 'merchant', partyCode: 'canteen 1', from: '2026-05-01', to: new Date('2026-05-31T00:00:00Z') })).toBe('settlement_merchant_canteen-1_20260501_20260531');
    expect(settlementFileName({ kind: 'provider', partyCode: 'P1', from: '2026-05-01', to: '2026-05-31', sequence: 2 })).toBe('settlement_provider_P1_20260501_20260531_2');
  });

  it.each(['payments_1.csv', 'credits_.csv', 'credits_1.txt', 'credits 1.csv', 'clients_1.cp1251.xlsx', 'credits_1.csv.tmp'])('refuses %s', (name) => {
    expect(parseExchangeName(name)).toBeNull();
  });
});

describe('file exchange', () => {
  it('applies a credit CSV dropped in in/: results in out/, the file in archive/, failed lines with their codes', async () => {
    const { root, ex } = await prepared();
    const { csv } = creditCsv('F', 3, { extra: ['L4;F-404;meals;5.00', 'L5;F-1;meals;0'] });
    const before = await walletTotal(database.db, 'F');
    await drop(root, 'credits_A1.csv', csv);
    const [outcome] = await ex.pollOnce();
    expect(outcome).toMatchObject({ status: 'archived', fileName: 'credits_A1.csv', resultFile: 'credits_A1.result.csv', recovered: false });
    expect(await ls(root, 'in')).toEqual([]);
    expect(await ls(root, 'work')).toEqual([]);
    expect(await ls(root, 'archive')).toEqual([expect.stringMatching(/^\d{8}-\d{6}-[0-9a-f]{6}_credits_A1\.csv$/)]);
    const lines = await resultLines(root, 'credits_A1.result.csv');
    expect(lines[0]).toBe('line_no;line_id;status;error_code;error_message;operation_id;balance');
    expect(lines.slice(1).map((l) => l.split(';').slice(0, 4))).toEqual([
      ['2', 'L1', 'applied', ''],
      ['3', 'L2', 'applied', ''],
      ['4', 'L3', 'applied', ''],
      ['5', 'L4', 'skipped', 'client_not_found'],
      ['6', 'L5', 'skipped', 'bad_amount'],
    ]);
    expect(lines[1]!.split(';')[5]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await walletTotal(database.db, 'F')).toBe(before + 101n + 102n + 103n);
    const registry = await registries.status(outcome!.registryId!);
    expect(registry).toMatchObject({ source: 'file', number: 'A1', status: 'applied', receivedBy: `file:${outcome!.claimId}` });
    expect(await ls(root, 'out')).toEqual(['credits_A1.result.csv']);
  });

  it('applies a client registry in xlsx and a Windows-1251 CSV named *.cp1251.csv', async () => {
    const { root, ex } = await prepared();
    await drop(
      root,
      'clients_X1.xlsx',
      await workbook([
        ['action', 'client_id', 'last_name', 'first_name', 'products'],
        ['create', 'XL-1', 'Иванов', 'Иван', 'meals'],
        ['create', 'XL-2', 'Петров', ''],
      ]),
    );
    await drop(root, 'credits_W1.cp1251.csv', iconv.encode('line_id;client_id;product;amount;comment\r\n1;XL-1;meals;12,50;Зачисление\r\n', 'win1251'));
    const outcomes = await ex.pollOnce();
    expect(outcomes.map((o) => [o.fileName, o.status])).toEqual([
      ['clients_X1.xlsx', 'archived'],
      ['credits_W1.cp1251.csv', 'archived'],
    ]);
    const clients = await resultLines(root, 'clients_X1.result.csv');
    expect(clients[0]).toBe('line_no;client_id;action;status;error_code;error_message;account_number');
    expect(clients[1]).toMatch(/^2;XL-1;create;applied;;;9\d{15}$/);
    expect(clients[2]).toMatch(/^3;XL-2;;skipped;missing_value;/);
    const credits = await resultLines(root, 'credits_W1.result.csv');
    expect(credits[1]).toMatch(/^2;1;applied;;;[0-9a-f-]{36};12\.50$/);
  });

  it('moves unreadable files to error/ with a .error.txt and applies nothing of them', async () => {
    const { root, ex } = await prepared();
    const operations = await countOperations(database.db);
    const good = await workbook([
      ['line_id', 'client_id', 'product', 'amount'],
      ['1', 'F-1', 'meals', 1],
    ]);
    await drop(root, 'credits_E1.csv', iconv.encode('line_id;client_id;product;amount;comment\r\n1;F-1;meals;1,00;Зачисление\r\n', 'win1251')); // not UTF-8, not named .cp1251
    await drop(root, 'credits_E2.csv', 'line_id;client_id;amount\r\n1;F-1;1.00\r\n'); // no product column
    await drop(root, 'credits_E3.xlsx', good.subarray(0, Math.floor(good.length / 2))); // cut off in transfer
    await drop(root, 'payments_E4.csv', 'whatever');
    await drop(root, 'credits_E5.xlsx', Buffer.from('this is not a zip at all'));
    const outcomes = await ex.pollOnce();
    expect(outcomes.map((o) => [o.fileName, o.status, o.code])).toEqual([
      ['credits_E1.csv', 'error', 'bad_encoding'],
      ['credits_E2.csv', 'error', 'missing_columns'],
      ['credits_E3.xlsx', 'error', 'truncated_file'],
      ['credits_E5.xlsx', 'error', 'bad_file'],
      ['payments_E4.csv', 'error', 'unknown_file_name'],
    ]);
    const errors = await ls(root, 'error');
    expect(errors).toHaveLength(10);
    for (const o of outcomes) {
      const file = errors.find((e) => e.endsWith(`_${o.fileName}`))!;
      expect(file).toBeDefined();
      const report = await readFile(join(root, 'error', `${file}.error.txt`), 'utf8');
      expect(report).toContain(`file: ${o.fileName}\ncode: ${o.code}\n`);
    }
    expect(await readFile(join(root, 'error', `${errors.find((e) => e.endsWith('_credits_E2.csv'))!}.error.txt`), 'utf8')).toContain('details: {"missing":["product"]}');
    expect(await countOperations(database.db)).toBe(operations);
    expect(await ls(root, 'out')).toEqual([]);
    expect(await ls(root, 'archive')).toEqual([]);
  });

  it('applies a file dropped twice once; the second copy goes to error/ as a duplicate', async () => {
    const { root, ex } = await prepared();
    const { csv, total } = creditCsv('F', 10);
    const before = await walletTotal(database.db, 'F');
    const operations = await countOperations(database.db);
    await drop(root, 'credits_D1.csv', csv);
    expect((await ex.pollOnce()).map((o) => o.status)).toEqual(['archived']);
    await drop(root, 'credits_D1.csv', csv); // the same file again
    await drop(root, 'credits_D2.csv', csv); // the same content under another number
    const again = await ex.pollOnce();
    expect(again.map((o) => [o.fileName, o.status, o.code])).toEqual([
      ['credits_D1.csv', 'error', 'duplicate'],
      ['credits_D2.csv', 'error', 'duplicate'],
    ]);
    expect(await walletTotal(database.db, 'F')).toBe(before + total);
    expect(await countOperations(database.db)).toBe(operations + 10);
    const reports = (await ls(root, 'error')).filter((n) => n.endsWith('.error.txt'));
    expect(reports).toHaveLength(2);
    expect(await readFile(join(root, 'error', reports[0]!), 'utf8')).toMatch(/code: duplicate\nmessage: Not applied: this file has the same content as registry D1/);
    expect(await ls(root, 'out')).toEqual(['credits_D1.result.csv']);
  });

  it('takes only complete files: *.tmp and *.part are ignored, others only once their size and mtime are stable', async () => {
    const { root, ex } = await prepared({ stablePolls: 2 });
    const { csv } = creditCsv('F', 2);
    await drop(root, 'credits_S1.csv.part', csv);
    await drop(root, 'credits_S2.csv.tmp', csv);
    await drop(root, '.credits_S3.csv', csv);
    await drop(root, 'credits_S4.csv', csv.slice(0, 30));
    expect(await ex.pollOnce()).toEqual([]); // seen once
    await drop(root, 'credits_S4.csv', csv); // still being written
    expect(await ex.pollOnce()).toEqual([]);
    const outcomes = await ex.pollOnce();
    expect(outcomes.map((o) => [o.fileName, o.status])).toEqual([['credits_S4.csv', 'archived']]);
    expect(await ls(root, 'in')).toEqual(['.credits_S3.csv', 'credits_S1.csv.part', 'credits_S2.csv.tmp']);
  });

  it('two watchers on one folder take each file once', async () => {
    const root = await newRoot();
    const outcomes: FileOutcome[] = [];
    const a = exchange(root, { owner: 'a', onOutcome: (o) => outcomes.push(o) });
    const b = exchange(root, { owner: 'b', onOutcome: (o) => outcomes.push(o) });
    await a.pollOnce();
    const before = await walletTotal(database.db, 'F');
    const operations = await countOperations(database.db);
    let expected = 0n;
    for (let i = 1; i <= 8; i++) {
      const { csv } = creditCsv('F', 5, { extra: [`X${i};F-${10 + i};meals;0.0${i}`] });
      expected += 101n + 102n + 103n + 104n + 105n + BigInt(i);
      // Different content per file (the extra line), so none is a duplicate of another.
      await drop(root, `credits_T${i}.csv`, csv.replace(/L(\d)/g, `L${i}-$1`));
    }
    a.start();
    b.start();
    await waitFor(async () => (await ls(root, 'archive')).length + (await ls(root, 'error')).length >= 8 && (await ls(root, 'work')).length === 0, { timeoutMs: 25_000, what: 'every file processed' });
    await Promise.all([a.stop(), b.stop()]);
    expect(outcomes.filter((o) => o.status === 'archived').map((o) => o.fileName).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `credits_T${i + 1}.csv`));
    expect(outcomes.every((o) => o.status === 'archived')).toBe(true);
    expect(new Set(outcomes.map((o) => o.claimId)).size).toBe(8);
    expect(await ls(root, 'archive')).toHaveLength(8);
    // A loser of a rename race drops its claim row: one row per file.
    const claims = await exchangeFiles().selectFrom('exchange_files').select(['status', 'owner']).where('file_name', 'like', 'credits_T%').execute();
    expect(claims).toHaveLength(8);
    expect(claims.every((c) => c.status === 'archived' && (c.owner === 'a' || c.owner === 'b'))).toBe(true);
    expect(await walletTotal(database.db, 'F')).toBe(before + expected);
    expect(await countOperations(database.db)).toBe(operations + 8 * 6);
    expect((await verifyLedger(database.db)).problems).toEqual([]);
  }, 30_000);

  it('resumes a file left in work/ whose lease ran out (its instance died), without applying it twice', async () => {
    const { root, ex } = await prepared();
    const { csv, total } = creditCsv('F', 20);
    const before = await walletTotal(database.db, 'F');
    await drop(root, 'credits_R1.csv', csv);
    // An instance that received the file, then stopped before applying it (its apply never returns an answer).
    const stuck = new FileExchange(database, { ...registriesPort(), apply: () => Promise.reject(new Error('killed')) }, { root, stablePolls: 1, owner: 'dead', retryMs: 60_000 });
    const [first] = await stuck.pollOnce();
    expect(first).toMatchObject({ status: 'retry' });
    expect(await ls(root, 'work')).toEqual([expect.stringContaining('credits_R1.csv')]);
    // Meanwhile part of it was applied (as a run killed half-way would leave it): here all of it, by hand.
    const registry = (await registries.list({ kind: 'credits' })).items.find((r) => r.number === 'R1')!;
    await registries.apply(registry.id);
    expect(await walletTotal(database.db, 'F')).toBe(before + total);
    expect(await ex.pollOnce()).toEqual([]); // its lease (retry time) has not run out: not taken
    await exchangeFiles().updateTable('exchange_files').set({ lease_until: new Date(0) }).where('claim_id', '=', first!.claimId).execute();
    const [resumed] = await ex.pollOnce();
    expect(resumed).toMatchObject({ status: 'archived', recovered: true, claimId: first!.claimId, registryId: registry.id });
    expect(await walletTotal(database.db, 'F')).toBe(before + total);
    expect((await resultLines(root, 'credits_R1.result.csv')).slice(1).every((l) => l.split(';')[2] === 'applied')).toBe(true);
    expect(await exchangeFiles().selectFrom('exchange_files').select(['status', 'attempts', 'owner']).where('claim_id', '=', first!.claimId).executeTakeFirst()).toEqual({ status: 'archived', attempts: 2, owner: expect.stringMatching(/^files:/) });
  });

  it('writes a settlement registry to out/ atomically through the renderer', async () => {
    const root = await newRoot();
    const renderer = {
      render: async (id: string, format: 'csv' | 'xlsx', out: Writable) => {
        expect(existsSync(join(root, 'out', 'settlement_M1_2026-05.csv.tmp'))).toBe(false);
        out.write(`registry;${id};${format}\r\n`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(await ls(root, 'out')).toEqual(['settlement_M1_2026-05.csv.tmp']); // only the temporary name while writing
        out.end('total;100.00\r\n');
      },
    };
    const path = await writeSettlementFile(root, renderer, 'r-1', { format: 'csv', name: 'settlement_M1_2026-05' });
    expect(path).toBe(join(root, 'out', 'settlement_M1_2026-05.csv'));
    expect(await readFile(path, 'utf8')).toBe('registry;r-1;csv\r\ntotal;100.00\r\n');
    expect(await ls(root, 'out')).toEqual(['settlement_M1_2026-05.csv']);
    await expect(writeSettlementFile(root, renderer, 'r-1', { format: 'csv', name: '../escape' })).rejects.toMatchObject({ code: 'file_name_invalid' });
  });
});

const exchangeFiles = () => database.db as unknown as Kysely<ExchangeDb>;

function registriesPort() {
  return {
    receive: registries.receive.bind(registries),
    apply: registries.apply.bind(registries),
    results: registries.results.bind(registries),
  };
}
