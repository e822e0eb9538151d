import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cabinetFrontMigrations, createCabinetFrontApp, MemoryOtpSender, resolveKeyRing } from '@app/cabinet-front';
import { createBus, createCache, createDatabase, createLogger, dropDatabase, ensureDatabase, fastHashingForTests, kernelMigrations, migrate, withDatabase, type Database, type ServiceRuntime } from '@app/kernel';
import { testConfig } from '@app/kernel/testing';
import { createPrepaidApp, demoStaff, prepaidMigrations, seedPrepaidDemo, verifyLedger, type PrepaidDb } from '@app/prepaid';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The backup and restore procedure of docs/operations.md, run with its own scripts against the real
 * PostgreSQL server: a prepaid database with a day of trade and a cabinet-front database with encrypted
 * personal data are dumped, restored into empty databases, and checked — the ledger verifies and balances
 * match, the restored services work on (a purchase, a login that decrypts the e-mail), and a restore
 * into a database that has tables is refused.
 */
const serverUrl = process.env.DATABASE_URL;
const root = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);
const logger = createLogger({ service: 'backup-test', level: 'silent' });
const tag = randomBytes(4).toString('hex');
const names = { prepaid: `backup_${tag}_prepaid`, prepaidRestored: `backup_${tag}_prepaid_restored`, front: `backup_${tag}_front`, frontRestored: `backup_${tag}_front_restored` };
const dir = mkdtempSync(join(tmpdir(), 'backup-'));
const open: Array<{ close(): Promise<void> }> = [];

afterAll(async () => {
  for (const d of open.reverse()) await d.close();
  if (serverUrl) for (const name of Object.values(names)) await dropDatabase(serverUrl, name);
  rmSync(dir, { recursive: true, force: true });
});

async function serviceDatabase<DB>(name: string, migrations: Parameters<typeof migrate>[1] | null) {
  await ensureDatabase(serverUrl!, name);
  const database = await createDatabase<DB>({ url: withDatabase(serverUrl!, name), poolSize: 3 });
  open.push(database);
  if (migrations) await migrate(database, migrations);
  return database;
}

function runtimeOf(service: string, database: Database): ServiceRuntime {
  const bus = createBus({ logger, service });
  const cache = createCache({ prefix: `${service}-${tag}:` });
  open.push(bus, cache);
  return { service, logger, database, bus, cache };
}

const backup = (name: string, file: string) => run(join(root, 'deploy/backup/backup.sh'), [withDatabase(serverUrl!, name), file]);
const restore = (file: string, name: string) => run(join(root, 'deploy/backup/restore.sh'), [file, withDatabase(serverUrl!, name)]);

describe.skipIf(!serverUrl)('backup and restore (pg_dump / pg_restore)', () => {
  it('restores the prepaid database: the ledger verifies, balances match, trade goes on', async () => {
    const source = await serviceDatabase<PrepaidDb>(names.prepaid, [kernelMigrations, ...prepaidMigrations]);
    await seedPrepaidDemo(source as unknown as Database, fastHashingForTests);
    const app = await createPrepaidApp(runtimeOf('prepaid', source as unknown as Database), testConfig, { hashing: fastHashingForTests });
    open.push(app);
    const as = await staffSessions(app);
    expect((await as('manager', 'POST', '/api/products', { code: 'meals', name: 'Питание' })).statusCode).toBe(201);
    const merchant = (await as('manager', 'POST', '/api/merchants', { code: 'canteen-1', name: 'Столовая', products: ['meals'] })).json();
    const terminal = (await as('manager', 'POST', '/api/terminals', { code: 'T-1', merchantId: merchant.id })).json();
    const accounts: string[] = [];
    for (let i = 0; i < 5; i++) {
      const client = (await as('operator', 'POST', '/api/clients', { fullName: `Клиент ${i}` })).json();
      const account = (await as('operator', 'POST', '/api/accounts', { clientId: client.id, products: ['meals'] })).json();
      await as('operator', 'POST', `/api/accounts/${account.id}/identifiers`, { kind: 'card_uid', value: `0A0B0C0${i}` });
      await as('settlement', 'POST', `/api/accounts/${account.id}/credits`, { idempotencyKey: `c${i}`, product: 'meals', amount: 10_000 + i });
      accounts.push(account.id);
    }
    const pos = (key: string, card: string, amount: number) =>
      app.inject({
        method: 'POST',
        url: '/api/pos/v1/purchases',
        headers: { authorization: `Basic ${Buffer.from(`T-1:${terminal.secret}`).toString('base64')}` },
        payload: { idempotencyKey: key, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'meals', amount }] },
      });
    for (let i = 0; i < 5; i++) expect((await pos(`p${i}`, `0A0B0C0${i}`, 1_000 + i)).json().status).toBe('approved');

    const file = join(dir, 'prepaid.dump');
    await backup(names.prepaid, file);
    const restored = await serviceDatabase<PrepaidDb>(names.prepaidRestored, null);
    await restore(file, names.prepaidRestored);

    expect((await verifyLedger(restored.db)).ok).toBe(true);
    const balances = (db: Database<PrepaidDb>) => db.db.selectFrom('wallets').select(['account_id', 'product_code', 'balance']).orderBy('account_id').execute();
    expect(await balances(restored)).toEqual(await balances(source));
    const count = async (db: Database<PrepaidDb>) => Number((await sql<{ n: number }>`select count(*)::int as n from operations`.execute(db.db)).rows[0]!.n);
    expect(await count(restored)).toBe(await count(source));

    // The restored database is a working one: migrations are recorded (nothing to apply), sequences go on,
    // the immutable-journal guard is back in place, and a replayed idempotency key answers as before.
    await migrate(restored, [kernelMigrations, ...prepaidMigrations]);
    const restoredApp = await createPrepaidApp(runtimeOf('prepaid-restored', restored as unknown as Database), testConfig, { hashing: fastHashingForTests });
    open.push(restoredApp);
    const purchase = (key: string, card: string, amount: number) =>
      restoredApp.inject({
        method: 'POST',
        url: '/api/pos/v1/purchases',
        headers: { authorization: `Basic ${Buffer.from(`T-1:${terminal.secret}`).toString('base64')}` },
        payload: { idempotencyKey: key, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'meals', amount }] },
      });
    const replay = (await purchase('p0', '0A0B0C00', 1_000)).json();
    const fresh = (await purchase('after-restore', '0A0B0C00', 500)).json();
    expect(replay.status).toBe('approved');
    expect(fresh).toMatchObject({ status: 'approved', balances: [{ product: 'meals', balance: 10_000 - 1_000 - 500 }] });
    await expect(sql`update postings set amount = amount + 1 where id = (select min(id) from postings)`.execute(restored.db)).rejects.toThrow();
    expect((await verifyLedger(restored.db)).ok).toBe(true);

    // Never over live data.
    await expect(restore(file, names.prepaidRestored)).rejects.toMatchObject({ code: 2 });
  });

  it('restores the cabinet-front database: personal data stays encrypted and decrypts with the same keys', async () => {
    const source = await serviceDatabase(names.front, [kernelMigrations, ...cabinetFrontMigrations]);
    const keys = resolveKeyRing({ NODE_ENV: 'test' });
    const otp = new MemoryOtpSender();
    const app = await createCabinetFrontApp(runtimeOf('cabinet-front', source), testConfig, { hashing: fastHashingForTests, otpSender: otp, keys, consumeEvents: false });
    open.push(app);
    const email = `restore-${tag}@consumer.test`;
    const start = await app.inject({ method: 'POST', url: '/auth/register', payload: { email } });
    await app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code: otp.lastCodeFor(email), password: 'Restore-Pass-2026' } });

    const file = join(dir, 'front.dump');
    await backup(names.front, file);
    const restored = await serviceDatabase(names.frontRestored, null);
    await restore(file, names.frontRestored);
    const dump = (await run('pg_restore', ['--data-only', '--file=-', file], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    expect(dump).not.toContain(email);

    const restoredApp = await createCabinetFrontApp(runtimeOf('cabinet-front-restored', restored), testConfig, { hashing: fastHashingForTests, otpSender: otp, keys, consumeEvents: false });
    open.push(restoredApp);
    const login = await restoredApp.inject({ method: 'POST', url: '/auth/login', payload: { login: email, password: 'Restore-Pass-2026' } });
    expect(login.statusCode).toBe(200);
    expect(login.json().login).toBe(email);
  });
});

async function staffSessions(app: Awaited<ReturnType<typeof createPrepaidApp>>) {
  const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    sessions[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field, as a client would
  return (login: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<{ statusCode: number; json: () => any }> =>
    app.inject({ method, url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf }, ...(payload ? { payload: payload as object } : {}) });
}
