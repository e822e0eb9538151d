import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillingRef, billingRefMigrations, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { createDatabase, kernelMigrations, migrate, type Database } from '@app/kernel';
import { createTestDatabase, waitFor } from '@app/kernel/testing';
import { code15, dayPeriods, sample80020 } from '@app/metering-formats/testing';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { BillingRefAdapter } from '../billing/billing-ref-adapter.js';
import { cabinetBackMigrations } from '../migrations.js';
import type { CabinetBackDb } from '../tables.js';
import { ImportFolder } from './import-folder.js';

/**
 * A crash half-way through an 80020 file: a child process takes the file from the import folder and is
 * SIGKILLed after billing stored the first of its points; a watcher started afterwards finds the file in
 * work/, takes it over once the dead child's lease has run out, reads it again from the start, and the
 * file ends up imported once: every point in billing with the file's values, one row (two attempts), one
 * file in processed/ with its result. With DATABASE_URL the child and the test share fresh PostgreSQL
 * databases; without it, PGlite data folders on disk, opened by the child and then (after it died) by the
 * test — PGlite recovers them from their WAL as PostgreSQL does after a crash.
 */
const child = fileURLToPath(new URL('./crash.child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function openPair(): Promise<{ back: Database<CabinetBackDb>; billing: Database<BillingRefDb>; env: Record<string, string>; reopen: () => Promise<{ back: Database<CabinetBackDb>; billing: Database<BillingRefDb> }> }> {
  if (process.env.DATABASE_URL) {
    const [back, billing] = await Promise.all([createTestDatabase<CabinetBackDb>({ migrations: cabinetBackMigrations }), createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations })]);
    cleanup.push(() => back.close(), () => billing.close());
    return { back, billing, env: { CRASH_BACK_URL: back.url!, CRASH_BILLING_URL: billing.url! }, reopen: async () => ({ back, billing }) };
  }
  const [backDir, billingDir] = await Promise.all([mkdtemp(join(tmpdir(), 'import-crash-back-')), mkdtemp(join(tmpdir(), 'import-crash-billing-'))]);
  cleanup.push(() => rm(backDir, { recursive: true, force: true }), () => rm(billingDir, { recursive: true, force: true }));
  const back = await createDatabase<CabinetBackDb>({ dataDir: backDir });
  await migrate(back, [kernelMigrations, ...cabinetBackMigrations]);
  const billing = await createDatabase<BillingRefDb>({ dataDir: billingDir });
  await migrate(billing, [kernelMigrations, ...billingRefMigrations]);
  return {
    back,
    billing,
    env: { CRASH_BACK_DIR: backDir, CRASH_BILLING_DIR: billingDir },
    reopen: async () => {
      const pair = { back: await createDatabase<CabinetBackDb>({ dataDir: backDir }), billing: await createDatabase<BillingRefDb>({ dataDir: billingDir }) };
      cleanup.push(() => pair.back.close(), () => pair.billing.close());
      return pair;
    },
  };
}

describe('80020 import folder: crash', () => {
  it('a file whose import is killed between two points is imported once after a restart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'import-crash-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const pair = await openPair();
    await seedBillingDemo(pair.billing, { consumers: 4, today: '2025-06-15' });
    const inn = (await new BillingRefAdapter(new BillingRef(pair.billing)).consumerSnapshot('1', { since: '2025-06' }))!.profile.inn!;
    const day = '2025-06-10';
    // D-000001's interval point 1 and integral point 2 (billing refuses the second: a second call all the same).
    const file = sample80020({ day, areaInn: inn, points: [{ code: code15(1), channels: [{ periods: dayPeriods(60, () => '4.5') }] }, { code: code15(2) }] });
    await mkdir(join(root, 'incoming', '1'), { recursive: true });
    await writeFile(join(root, 'incoming', '1', 'crash.xml.part'), file);
    await rename(join(root, 'incoming', '1', 'crash.xml.part'), join(root, 'incoming', '1', 'crash.xml'));
    if (pair.env.CRASH_BACK_DIR) await Promise.all([pair.back.close(), pair.billing.close()]); // PGlite: one process at a time on a folder

    const sent = await new Promise<string>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot, env: { ...process.env, ...pair.env, CRASH_ROOT: root }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let first = '';
      proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /sent (\S+)\n/.exec(out);
        if (match && !first) {
          first = match[1]!;
          proc.kill('SIGKILL');
        }
      });
      proc.on('exit', (code, signal) => (signal === 'SIGKILL' && first ? resolve(first) : reject(new Error(`child ended (${code ?? signal}) before it was killed:\n${out}\n${err}`))));
    });
    expect(sent).toBe('1');

    const { back, billing } = await pair.reopen();
    // Killed half-way: the file is in work/, its row still processing, the first point in billing.
    expect(await readdir(join(root, 'incoming', '1'))).toEqual([]);
    expect(await readdir(join(root, 'work'))).toEqual([expect.stringMatching(/_crash\.xml$/)]);
    const ref = new BillingRef(billing, { now: () => new Date('2025-06-15T09:00:00Z') });
    expect(await ref.hourly('1', day, day, 'metered')).toEqual([{ date: day, hours: Array.from({ length: 24 }, () => '4.5') }]);

    const watcher = new ImportFolder(back, new BillingRefAdapter(ref), { root, today: () => '2025-06-15', stablePolls: 1, pollMs: 100, retryMs: 300 });
    watcher.start();
    await waitFor(async () => (await readdir(join(root, 'processed'))).length === 2 || undefined, { timeoutMs: 60_000, intervalMs: 100, what: 'the file in processed/' });
    await watcher.stop();

    expect(await readdir(join(root, 'work'))).toEqual([]);
    const rows = await sql<{ status: string; attempts: number; owner: string }>`select status, attempts, owner from metering_import_files`.execute(back.db);
    expect(rows.rows).toEqual([{ status: 'processed', attempts: 2, owner: expect.not.stringMatching(/^crash-child$/) }]);
    expect(await ref.hourly('1', day, day, 'metered')).toEqual([{ date: day, hours: Array.from({ length: 24 }, () => '4.5') }]);
    const resultName = (await readdir(join(root, 'processed'))).find((n) => n.endsWith('.result.json'))!;
    const result = JSON.parse(await readFile(join(root, 'processed', resultName), 'utf8'));
    expect(result).toMatchObject({ file: 'crash.xml', status: 'processed', points: [{ meteringPointId: '1', accepted: 1 }, { meteringPointId: '2', accepted: 0, rejected: [{ code: 'point_not_interval' }] }] });
  }, 180_000);
});
