import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, kernelMigrations, migrate, type Database } from '@app/kernel';
import { createTestDatabase, waitFor } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../ledger/verify.js';
import { prepaidMigrations } from '../../migrations.js';
import { RegistryService } from '../../registries/registry.service.js';
import type { ExchangeDb, PrepaidDb } from '../../tables.js';
import { countOperations, creditCsv, ensureProducts, seedClients, walletTotal } from '../fixtures.js';
import { FileExchange } from './file-exchange.js';
import { ensureLayout } from './layout.js';

/**
 * The crash test: a 5,000-line credit file is processed by a child process that is SIGKILLed half-way
 * through applying it; a watcher started afterwards finds the file in work/, takes it over once its lease
 * has run out, and the file is applied exactly once. With DATABASE_URL the child and the test share a
 * fresh PostgreSQL database; without it, a PGlite data folder on disk, opened by the child, then (after it
 * died) by the test — PGlite recovers it from its WAL like PostgreSQL after a crash.
 */
const LINES = 5_000;
const child = fileURLToPath(new URL('./crash.child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const cleanup: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe('file exchange crash', () => {
  it('a file whose processing is killed half-way is applied exactly once after restart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'exchange-crash-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    let database: Database<PrepaidDb>;
    let env: Record<string, string>;
    if (process.env.DATABASE_URL) {
      const test = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
      cleanup.push(() => test.close());
      database = test;
      env = { CRASH_DATABASE_URL: test.url! };
    } else {
      const dataDir = await mkdtemp(join(tmpdir(), 'exchange-crash-pglite-'));
      cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
      database = await createDatabase<PrepaidDb>({ dataDir });
      await migrate(database, [kernelMigrations, ...prepaidMigrations]);
      env = { CRASH_DATA_DIR: dataDir };
    }
    await ensureProducts(database.db);
    await seedClients(database.db, 'C', LINES, 8_000_000_000);
    const layout = await ensureLayout(root);
    const { csv, total } = creditCsv('C', LINES);
    await writeFile(join(layout.in, 'credits_CRASH-1.csv'), csv);
    if (env.CRASH_DATA_DIR) await database.close(); // PGlite: one process at a time on a data folder

    // The child takes the file and is killed once some, but not all, lines are applied.
    const killedAt = await new Promise<number>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot, env: { ...process.env, ...env, CRASH_EXCHANGE_ROOT: root }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let applied = -1;
      proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (const match of out.matchAll(/applied (\d+) (\d+)\n/g)) {
          const n = Number(match[1]);
          if (applied < 0 && n >= 300 && n < LINES / 2) {
            applied = n;
            proc.kill('SIGKILL');
          }
        }
      });
      proc.on('exit', (code, signal) => (signal === 'SIGKILL' && applied > 0 ? resolve(applied) : reject(new Error(`child ended (${code ?? signal}) before it was killed:\n${out}\n${err}`))));
    });
    expect(killedAt).toBeGreaterThan(0);

    if (env.CRASH_DATA_DIR) {
      database = await createDatabase<PrepaidDb>({ dataDir: env.CRASH_DATA_DIR });
    }
    const db = database.db;
    cleanup.push(() => (env.CRASH_DATA_DIR ? database.close() : Promise.resolve()));
    // Killed half-way: the file is in work/, part of it applied.
    expect(await readdir(layout.in)).toEqual([]);
    expect(await readdir(layout.work)).toEqual([expect.stringMatching(/_credits_CRASH-1\.csv$/)]);
    const partial = await countOperations(db);
    expect(partial).toBeGreaterThanOrEqual(killedAt);
    expect(partial).toBeLessThan(LINES);

    // Restart: a watcher in this process takes the abandoned file over and finishes it.
    const watcher = new FileExchange(database, new RegistryService(database), { root, stablePolls: 1, pollMs: 100, retryMs: 300 });
    watcher.start();
    await waitFor(async () => (await readdir(layout.archive)).length === 1, { timeoutMs: 60_000, intervalMs: 100, what: 'the file in archive/' });
    await watcher.stop();

    expect(await countOperations(db)).toBe(LINES);
    expect(await walletTotal(db, 'C')).toBe(total);
    expect((await verifyLedger(db)).problems).toEqual([]);
    const registries = await db.selectFrom('registries' as never).select(['id', 'status', 'lines_applied'] as never).execute() as unknown as Array<{ id: string; status: string; lines_applied: number }>;
    expect(registries).toEqual([{ id: expect.any(String), status: 'applied', lines_applied: LINES }]);
    const keys = await sql<{ n: bigint }>`select count(*)::int8 as n from idempotency_keys where key like ${`registry:${registries[0]!.id}:%`}`.execute(db);
    expect(Number(keys.rows[0]!.n)).toBe(LINES);
    const files = await (db as unknown as Kysely<ExchangeDb>).selectFrom('exchange_files').select(['status', 'attempts', 'registry_id']).execute();
    expect(files).toEqual([{ status: 'archived', attempts: expect.any(Number), registry_id: registries[0]!.id }]);
    expect(files[0]!.attempts).toBeGreaterThanOrEqual(2);
    expect(await readdir(layout.work)).toEqual([]);
    const result = (await readFile(join(layout.out, 'credits_CRASH-1.result.csv'), 'utf8')).trimEnd().split('\r\n');
    expect(result).toHaveLength(LINES + 1);
    expect(result.slice(1).filter((l) => l.split(';')[2] === 'applied')).toHaveLength(LINES);
    expect(await readdir(layout.out)).toEqual(['credits_CRASH-1.result.csv']);
  }, 180_000);
});
