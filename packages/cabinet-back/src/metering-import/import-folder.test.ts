import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BillingRef, billingRefMigrations, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { code15, dayPeriods, sample80020 } from '@app/metering-formats/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingAdapter } from '../billing/billing-adapter.js';
import { BillingRefAdapter } from '../billing/billing-ref-adapter.js';
import { BillingUnavailableError } from '../billing/billing-adapter.js';
import { cabinetBackMigrations } from '../migrations.js';
import type { CabinetBackDb } from '../tables.js';
import { ImportFolder, type FolderOutcome, type ImportFolderOptions } from './import-folder.js';

/**
 * The back's watched 80020 folder on a real database (PostgreSQL with DATABASE_URL, PGlite otherwise)
 * and the reference billing: two instances polling the same folder at the same time take each file
 * once; a file still being written is left alone; files refused as a whole go to failed/ with the
 * reason; billing away leaves the file in work/ until it is back. The crash half-way through a file is
 * import-folder.crash.test.ts.
 */
let backDb: TestDatabase<CabinetBackDb>;
let billingDb: TestDatabase<BillingRefDb>;
let billing: BillingRef;
let adapter: BillingRefAdapter;
let inn: string;
const roots: string[] = [];

beforeAll(async () => {
  [backDb, billingDb] = await Promise.all([createTestDatabase<CabinetBackDb>({ migrations: cabinetBackMigrations }), createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations })]);
  await seedBillingDemo(billingDb, { consumers: 6, today: '2025-06-15' });
  billing = new BillingRef(billingDb, { now: () => new Date('2025-06-15T09:00:00Z') });
  adapter = new BillingRefAdapter(billing);
  inn = (await adapter.consumerSnapshot('1', { since: '2025-06' }))!.profile.inn!;
}, 120_000);
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  await Promise.all([backDb?.close(), billingDb?.close()]);
});

async function newRoot() {
  const root = await mkdtemp(join(tmpdir(), 'metering-import-'));
  roots.push(root);
  return root;
}
const folder = (root: string, o: Partial<ImportFolderOptions> = {}, using: BillingAdapter = adapter) => new ImportFolder(backDb, using, { root, today: () => '2025-06-15', stablePolls: 2, leaseMs: 2_000, retryMs: 200, ...o });
/** Written as .part, then renamed into place, as billing's export job is asked to. */
async function drop(root: string, consumerRef: string, name: string, body: Buffer) {
  const dir = join(root, 'incoming', consumerRef);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.part`), body);
  await rename(join(dir, `${name}.part`), join(dir, name));
}
const dayFile = (day: string, value: string, o: { areaInn?: string } = {}) =>
  sample80020({ day, areaInn: o.areaInn ?? inn, points: [{ code: code15(1), channels: [{ periods: dayPeriods(30, () => value) }] }] });
const hours = (v: string) => Array.from({ length: 24 }, () => v);
const rows = (claims: string[]) => backDb.db.selectFrom('metering_import_files' as never).select(['claim_id', 'status', 'attempts', 'error_code', 'consumer_ref'] as never).where('claim_id' as never, 'in', claims as never).execute() as unknown as Promise<Array<{ claim_id: string; status: string; attempts: number; error_code: string | null }>>;

/** Both instances poll at the same moment, round after round, until nothing is left to take. */
async function pollTogether(a: ImportFolder, b: ImportFolder, rounds = 6): Promise<FolderOutcome[]> {
  const all: FolderOutcome[] = [];
  for (let i = 0; i < rounds; i++) {
    const [x, y] = await Promise.all([a.pollOnce(), b.pollOnce()]);
    all.push(...x, ...y);
  }
  return all;
}

describe('80020 import folder', () => {
  it('two instances polling together import each complete file exactly once: processed/ with a result file, billing has the days', async () => {
    const root = await newRoot();
    const a = folder(root, { owner: 'a' });
    const b = folder(root, { owner: 'b' });
    await a.pollOnce(); // makes the folders
    const days = ['2025-06-01', '2025-06-02', '2025-06-03', '2025-06-04'];
    for (const [i, day] of days.entries()) await drop(root, '1', `80020_${inn}_${day.replaceAll('-', '')}_${i}.xml`, dayFile(day, `${i + 1}.25`));

    const outcomes = await pollTogether(a, b);
    expect(outcomes.map((o) => o.status)).toEqual(['processed', 'processed', 'processed', 'processed']);
    expect(new Set(outcomes.map((o) => o.fileName)).size).toBe(4);
    expect(outcomes.some((o) => o.recovered)).toBe(false);
    expect(await readdir(join(root, 'incoming', '1'))).toEqual([]);
    expect(await readdir(join(root, 'work'))).toEqual([]);
    const processed = (await readdir(join(root, 'processed'))).sort();
    expect(processed).toHaveLength(8);
    expect(processed.filter((n) => n.endsWith('.result.json'))).toHaveLength(4);
    const stored = await rows(outcomes.map((o) => o.claimId));
    expect(stored.map((r) => [r.status, r.attempts])).toEqual(days.map(() => ['processed', 1]));
    const total = await sql<{ n: number }>`select count(*)::int as n from metering_import_files where status = 'processed' and consumer_ref = '1'`.execute(backDb.db);
    expect(total.rows[0]!.n).toBe(4);
    for (const [i, day] of days.entries()) expect(await billing.hourly('1', day, day, 'metered')).toEqual([{ date: day, hours: hours(String(2 * i + 2.5)) }]);

    const first = outcomes.find((o) => o.fileName.includes('20250601'))!;
    const result = JSON.parse(await readFile(join(root, 'processed', first.resultFile!), 'utf8'));
    expect(result).toMatchObject({ file: first.fileName, consumerRef: '1', status: 'processed', day: '2025-06-01', senderInn: '7701234567', problems: [], points: [{ code: code15(1), meteringPointId: '1', accepted: 1, rejected: [] }] });
  });

  it('leaves a file alone while it is written: *.part never, a growing file not until its size stops changing', async () => {
    const root = await newRoot();
    const a = folder(root);
    await a.pollOnce();
    const dir = join(root, 'incoming', '1');
    await mkdir(dir, { recursive: true });
    const body = dayFile('2025-06-05', '1');
    await writeFile(join(dir, 'upload.xml.part'), body);
    await writeFile(join(dir, 'growing.xml'), body.subarray(0, 1000));
    expect(await a.pollOnce()).toEqual([]); // first sight
    await appendFile(join(dir, 'growing.xml'), body.subarray(1000, 2000));
    expect(await a.pollOnce()).toEqual([]); // changed since
    await appendFile(join(dir, 'growing.xml'), body.subarray(2000));
    expect(await a.pollOnce()).toEqual([]);
    const done = await a.pollOnce(); // unchanged for two polls: taken
    expect(done.map((o) => [o.fileName, o.status])).toEqual([['growing.xml', 'processed']]);
    expect(await readdir(dir)).toEqual(['upload.xml.part']);
  });

  it('refuses whole files into failed/ with the reason, nothing sent: wrong encoding, unknown consumer, no consumer folder, the same content again; a foreign area is a per-area problem', async () => {
    const root = await newRoot();
    const a = folder(root, { stablePolls: 1 });
    await a.pollOnce();
    const before = await billing.hourly('1', '2025-06-07', '2025-06-07', 'metered');
    await drop(root, '1', 'encoding.xml', sample80020({ day: '2025-06-07', areaInn: inn, declare: 'utf-8', bytesAs: 'windows-1251', points: [{ code: code15(1) }] }));
    await drop(root, '424242', 'nobody.xml', dayFile('2025-06-07', '7'));
    await writeFile(join(root, 'incoming', 'loose.xml'), dayFile('2025-06-07', '7'));
    await drop(root, '1', 'foreign-area.xml', dayFile('2025-06-07', '7', { areaInn: '7700000001' }));
    await drop(root, '1', 'good.xml', dayFile('2025-06-08', '2'));
    const first = await a.pollOnce();
    const by = (name: string) => first.find((o) => o.fileName === name)!;
    expect(by('encoding.xml')).toMatchObject({ status: 'failed', code: 'encoding_mismatch' });
    expect(by('nobody.xml')).toMatchObject({ status: 'failed', code: 'consumer_not_found' });
    expect(by('loose.xml')).toMatchObject({ status: 'failed', code: 'consumer_not_named' });
    expect(by('foreign-area.xml')).toMatchObject({ status: 'processed', code: null });
    expect(by('good.xml')).toMatchObject({ status: 'processed' });
    const failedResult = JSON.parse(await readFile(join(root, 'failed', by('encoding.xml').resultFile!), 'utf8'));
    expect(failedResult).toMatchObject({ file: 'encoding.xml', status: 'failed', code: 'encoding_mismatch', message: expect.stringContaining('line') });
    const foreign = JSON.parse(await readFile(join(root, 'processed', by('foreign-area.xml').resultFile!), 'utf8'));
    expect(foreign).toMatchObject({ points: [], problems: [{ code: 'area_inn_mismatch', element: 'area' }] });
    expect(await billing.hourly('1', '2025-06-07', '2025-06-07', 'metered')).toEqual(before);

    // The same content under another name: already imported for this consumer.
    await drop(root, '1', 'good-again.xml', dayFile('2025-06-08', '2'));
    const again = await a.pollOnce();
    expect(again).toMatchObject([{ fileName: 'good-again.xml', status: 'failed', code: 'duplicate_file' }]);
    expect(JSON.parse(await readFile(join(root, 'failed', again[0]!.resultFile!), 'utf8')).message).toContain('good.xml');
    expect((await readdir(join(root, 'failed'))).filter((n) => !n.endsWith('.result.json'))).toHaveLength(4);
    expect(await readdir(join(root, 'work'))).toEqual([]);
  });

  it('keeps the file in work/ while billing is away and imports it once billing answers again', async () => {
    const root = await newRoot();
    let away = true;
    const flaky = new Proxy(adapter, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key === 'consumerSnapshot' && away) return () => Promise.reject(new BillingUnavailableError('billing is down'));
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const a = folder(root, { stablePolls: 1 }, flaky);
    await a.pollOnce();
    await drop(root, '1', 'later.xml', dayFile('2025-06-09', '3'));
    const first = await a.pollOnce();
    expect(first).toMatchObject([{ fileName: 'later.xml', status: 'retry', code: 'billing_unavailable' }]);
    expect(await readdir(join(root, 'work'))).toEqual([`${first[0]!.claimId}_later.xml`]);
    expect(await a.pollOnce()).toEqual([]); // waiting out its retry time
    away = false;
    await new Promise((r) => setTimeout(r, 300));
    const second = await a.pollOnce();
    expect(second).toMatchObject([{ claimId: first[0]!.claimId, status: 'processed', recovered: true }]);
    expect((await rows([first[0]!.claimId]))[0]).toMatchObject({ status: 'processed', attempts: 2 });
    expect(await billing.hourly('1', '2025-06-09', '2025-06-09', 'metered')).toEqual([{ date: '2025-06-09', hours: hours('6') }]);
  });

  it('tidies what a crash at the edges leaves: a done file still in work/ is only moved; the row of a claim that never renamed its file is dropped', async () => {
    const root = await newRoot();
    const a = folder(root, { stablePolls: 1 });
    await a.pollOnce();
    await drop(root, '1', 'edge.xml', dayFile('2025-06-11', '1'));
    const [done] = await a.pollOnce();
    expect(done).toMatchObject({ status: 'processed' });
    const workName = `${done!.claimId}_edge.xml`;
    // As if the instance died after the row said processed, before the file left work/.
    await rename(join(root, 'processed', workName), join(root, 'work', workName));
    // And a claim whose instance died between its row and the rename (the file never left incoming/).
    await sql`insert into metering_import_files (claim_id, consumer_ref, file_name, work_name, owner, lease_until) values ('20250101-000000-abcdef', '1', 'never.xml', '20250101-000000-abcdef_never.xml', 'dead', now() - interval '1 minute')`.execute(backDb.db);
    await sql`insert into metering_import_files (claim_id, consumer_ref, file_name, work_name, owner, lease_until) values ('20250101-000000-fedcba', '1', 'busy.xml', '20250101-000000-fedcba_busy.xml', 'alive', now() + interval '1 minute')`.execute(backDb.db);
    expect(await a.pollOnce()).toEqual([]); // nothing imported again
    expect(await readdir(join(root, 'work'))).toEqual([]);
    expect((await readdir(join(root, 'processed'))).sort()).toEqual([workName, `${workName}.result.json`]);
    expect((await rows([done!.claimId]))[0]).toMatchObject({ status: 'processed', attempts: 1 });
    expect(await rows(['20250101-000000-abcdef'])).toEqual([]);
    expect(await rows(['20250101-000000-fedcba'])).toHaveLength(1); // its lease still runs: another instance is at it
  });
});
