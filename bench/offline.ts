// `npm run bench:offline`: the terminal snapshot for 100,000 identifiers — time to build it (read, encode,
// gzip, sign, store; then a second build with 1% of the balances changed, which also makes the delta) and
// its size, full and delta — and offline authorizations per second inside pos-sdk (decision + the journal
// append with fsync that makes each approval durable). On DATABASE_URL when set (a throwaway test_…
// database), else embedded PGlite. BENCH_IDENTIFIERS changes the size, BENCH_AUTHS the authorizations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createTestDatabase } from '@app/kernel/testing';
import { prepaidMigrations } from '@app/prepaid';
import { PosTerminal } from '@app/pos-sdk';
import { snapshotSigner } from '../packages/prepaid/src/offline/signing.js';
import { SnapshotService } from '../packages/prepaid/src/offline/snapshot.service.js';
import type { OfflineDb } from '../packages/prepaid/src/tables.js';

const N = Number(process.env.BENCH_IDENTIFIERS ?? 100_000);
const AUTHS = Number(process.env.BENCH_AUTHS ?? 5_000);
const database = await createTestDatabase<OfflineDb>({ migrations: prepaidMigrations });
const db = database.db;
console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}; seeding ${N.toLocaleString('en')} accounts, each with two wallets and a card…`);

// Set-based seed straight into the tables: this measures the snapshot, not the registry path (bench:registry).
// Balances are written directly, so this throwaway database is not a verified ledger.
await sql`insert into products (code, name, per_operation_limit, daily_debit_limit, offline_floor_limit, offline_total_limit, offline_count_limit)
  values ('meals', 'Питание', 30000, 50000, 20000, 50000, 3), ('own', 'Собственные', null, null, 100000, 300000, 10)`.execute(db);
await sql`insert into merchants (code, name) select 'm' || i, 'Merchant ' || i from generate_series(1, 50) i`.execute(db);
await sql`insert into merchant_products select id, p from merchants, unnest(array['meals', 'own']) p`.execute(db);
await sql`insert into terminals (code, merchant_id, secret_hash) select 'T-' || m.code || '-' || j, m.id, md5(m.code || j) from merchants m, generate_series(1, 20) j`.execute(db);
await sql`insert into clients (id, full_name) select md5('c' || i)::uuid, 'Client ' || i from generate_series(1, ${N}) i`.execute(db);
await sql`insert into accounts (id, number, client_id) select md5('a' || i)::uuid, lpad(i::text, 10, '0'), md5('c' || i)::uuid from generate_series(1, ${N}) i`.execute(db);
await sql`insert into wallets (account_id, product_code, balance, day_debit)
  select md5('a' || i)::uuid, p, (i * 7919 % 500000), case when p = 'meals' then i % 30000 else 0 end from generate_series(1, ${N}) i, unnest(array['meals', 'own']) p`.execute(db);
await sql`insert into identifiers (kind, value, account_id) select 'card_uid', upper(substr(md5('card' || i), 1, 14)), md5('a' || i)::uuid from generate_series(1, ${N}) i`.execute(db);
await sql`insert into stop_list (kind, value, reason) select 'card_uid', upper(substr(md5('lost' || i), 1, 14)), 'lost' from generate_series(1, ${Math.round(N / 100)}) i`.execute(db);
await sql`analyze`.execute(db);

const snapshots = new SnapshotService(database, snapshotSigner(undefined, 'development'));
const full = await snapshots.build('bench');
const decoded = gunzipSync((await snapshots.download(undefined).then((d) => ('body' in d ? d.body : Buffer.alloc(0))))).length;
await sql`update wallets set balance = balance + 100 where id % 100 = 0`.execute(db);
const second = await snapshots.build('bench');
const delta = await snapshots.download(full.version);
const deltaBytes = 'body' in delta ? delta.body.length : 0;

const MiB = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MiB`;
console.log(`full snapshot: ${full.identifiers.toLocaleString('en')} identifiers, ${full.accounts.toLocaleString('en')} accounts, ${full.stopList.toLocaleString('en')} stop-listed`);
console.log(`  built in ${full.buildMs} ms; ${MiB(full.bytes)} gzip'd (${MiB(decoded)} JSON), ${(full.bytes / full.identifiers).toFixed(1)} bytes per identifier`);
console.log(`second build (1% of balances changed, full + delta): ${second.buildMs} ms; delta ${(deltaBytes / 1024).toFixed(1)} KiB`);

// Offline authorizations inside the SDK: the server unreachable (fetch fails at once), the full snapshot
// installed and verified, each approval journaled with fsync before it is answered.
const download = await snapshots.download(undefined);
if (!('body' in download)) throw new Error('no snapshot');
const dir = mkdtempSync(join(tmpdir(), 'bench-offline-'));
const terminal = PosTerminal.open({
  baseUrl: 'http://127.0.0.1:9',
  terminalCode: 'T-m1-1',
  secret: 'x',
  publicKey: snapshotSigner(undefined, 'development').publicKey,
  dataDir: dir,
  fetch: () => Promise.reject(new TypeError('fetch failed')),
});
let started = performance.now();
terminal.install({ kind: 'full', version: download.version, signature: download.signature, body: download.body });
const installMs = performance.now() - started;
const cards = (await sql<{ value: string }>`select value from identifiers order by value limit ${AUTHS}`.execute(db)).rows.map((r) => r.value);
let approved = 0;
started = performance.now();
for (let i = 0; i < AUTHS; i++) {
  const r = await terminal.purchase({ kind: 'card_uid', value: cards[i % cards.length]! }, [{ product: 'own', amount: 100 }]);
  if (r.mode !== 'offline') throw new Error('expected offline');
  if (r.status === 'approved') approved++;
}
const seconds = (performance.now() - started) / 1000;
terminal.close();
const reopenStart = performance.now();
PosTerminal.open({ baseUrl: 'http://127.0.0.1:9', terminalCode: 'T-m1-1', secret: 'x', publicKey: snapshotSigner(undefined, 'development').publicKey, dataDir: dir }).close();
console.log(`SDK: snapshot verified and loaded in ${installMs.toFixed(0)} ms; reopened from disk (snapshot re-verified + ${approved} journaled purchases) in ${(performance.now() - reopenStart).toFixed(0)} ms`);
console.log(`SDK offline authorizations: ${AUTHS.toLocaleString('en')} in ${seconds.toFixed(2)} s = ${Math.round(AUTHS / seconds).toLocaleString('en')}/s (${approved} approved; each approval fsync'd)`);
rmSync(dir, { recursive: true, force: true });
await database.close();
