// `npm run bench:pos`: POS authorizations over HTTP against real PostgreSQL, and pgbench running the
// same SQL transaction on the same database, printed side by side. Needs DATABASE_URL (a server where
// it may create and drop the database `bench_pos`). Durations: BENCH_SECONDS (default 15).
// Spread load by default: each terminal belongs to its own merchant. BENCH_HOT_MERCHANT=1 (npm run bench:pos:hot):
// every terminal belongs to one merchant, so every purchase posts to the same merchant ledger account — the
// "hot account" that queues a PostgreSQL ledger which keeps a merchant balance row (DESIGN.md §4).
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { createDatabase, dropDatabase, ensureDatabase, migrate, kernelMigrations, withDatabase } from '@app/kernel';
import { prepaidMigrations, verifyLedger, type PrepaidDb } from '@app/prepaid';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('bench:pos needs DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:pos');
  process.exit(1);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const ACCOUNTS = 10_000;
const TERMINALS = 16;
const HOT = process.env.BENCH_HOT_MERCHANT === '1';
const MERCHANTS = HOT ? 1 : TERMINALS;
const PORT = 3900;
const run = promisify(execFile);

const url = withDatabase(serverUrl, 'bench_pos');
await dropDatabase(serverUrl, 'bench_pos');
await ensureDatabase(serverUrl, 'bench_pos');
const database = await createDatabase<PrepaidDb>({ url });
await migrate(database, [kernelMigrations, ...prepaidMigrations]);

console.log(`seeding ${ACCOUNTS.toLocaleString('en')} accounts with a card each…`);
await seed();

const server = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['packages/prepaid/src/main.ts'], {
  // Production mode refuses to start without an offline signing key; a throwaway one is enough here.
  env: { ...process.env, DATABASE_URL: url, PORT: String(PORT), LOG_LEVEL: 'warn', AMQP_URL: '', REDIS_URL: '', NODE_ENV: 'production', OFFLINE_SIGNING_KEY: randomBytes(32).toString('base64') },
  stdio: ['ignore', 'inherit', 'inherit'],
});
await waitForReady();

let counter = 0;
const purchase = (connections: number, overallRate?: number) =>
  autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/api/pos/v1/purchases',
        setupRequest: (request) => {
          const n = counter++;
          const terminal = n % TERMINALS;
          const card = ((n * 7919) % ACCOUNTS) + 1;
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`BENCH-${terminal}:secret-${terminal}`).toString('base64')}` },
            body: JSON.stringify({ idempotencyKey: `b${n}`, identifier: { kind: 'card_uid', value: card.toString(16).toUpperCase().padStart(8, '0') }, basket: [{ product: 'own', amount: 100 }] }),
          };
        },
      },
    ],
  });

console.log(`warming up…`);
await autocannon({ url: `http://127.0.0.1:${PORT}/health`, connections: 4, duration: 2 });
const max = await purchase(32);
const fixed = await purchase(32, 1000);
const metrics = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
const paths = [...metrics.matchAll(/pos_purchase_path_total\{path="(\w+)"[^}]*\} (\d+)/g)].map((m) => `${m[1]} ${m[2]}`).join(', ');
const batchSum = Number(/pos_purchase_batch_size_sum\{[^}]*\} ([\d.]+)/.exec(metrics)?.[1] ?? 0);
const batchCount = Number(/pos_purchase_batch_size_count\{[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
server.kill('SIGTERM');

const pg = await pgbench();
const report = await verifyLedger(database.db);
const declines = (await sql<{ n: number }>`select count(*)::int as n from idempotency_keys where response->>'status' = 'declined'`.execute(database.db)).rows[0]!.n;
await database.close();

const line = (name: string, r: autocannon.Result) =>
  `  ${name.padEnd(40)} ${Math.round(r.requests.average).toLocaleString('en').padStart(6)} auth/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   non-2xx ${r.non2xx}   errors ${r.errors + r.timeouts}`;
console.log(`
POS authorization benchmark — ${ACCOUNTS.toLocaleString('en')} accounts, ${TERMINALS} terminals at ${MERCHANTS} merchant(s)${HOT ? ' (hot merchant)' : ' (spread)'}, ${seconds} s per run, one prepaid instance
${line('HTTP, 32 connections, as fast as it goes', max)}
${line('HTTP, fixed offered load 1,000/s', fixed)}
  ${'pgbench, same SQL transaction, 16 clients'.padEnd(40)} ${Math.round(pg).toLocaleString('en').padStart(6)} tps
  ratio HTTP max / pgbench: ${(max.requests.average / pg).toFixed(2)}    declined authorizations: ${declines}    paths: ${paths}    mean batch ${(batchSum / Math.max(batchCount, 1)).toFixed(1)}
  ledger verify: ${report.ok ? 'OK' : 'FAILED'} (${report.counts.operations.toLocaleString('en')} operations, ${report.counts.postings.toLocaleString('en')} postings)
`);
if (!process.env.BENCH_KEEP) await dropDatabase(serverUrl, 'bench_pos');
process.exit(report.ok ? 0 : 1);

async function seed() {
  const db = database.db;
  await sql`insert into products (code, name) values ('own', 'Собственные средства')`.execute(db);
  const merchants: string[] = [];
  for (let m = 0; m < MERCHANTS; m++) {
    const { rows } = await sql<{ id: string }>`insert into merchants (code, name) values (${`bench-${m}`}, ${`Bench canteen ${m}`}) returning id`.execute(db);
    merchants.push(rows[0]!.id);
    await sql`insert into merchant_products values (${rows[0]!.id}, 'own')`.execute(db);
  }
  for (let t = 0; t < TERMINALS; t++) {
    const hash = createHash('sha256').update(`secret-${t}`).digest('hex');
    await sql`insert into terminals (code, merchant_id, secret_hash) values (${`BENCH-${t}`}, ${merchants[t % MERCHANTS]!}, ${hash})`.execute(db);
  }
  await sql`insert into clients (full_name) select 'Client ' || g from generate_series(1, ${ACCOUNTS}) g`.execute(db);
  await sql`insert into accounts (client_id, number) select id, '9' || lpad((row_number() over (order by created_at, id))::text, 15, '0') from clients`.execute(db);
  await sql`insert into wallets (account_id, product_code, balance) select id, 'own', 100000000 from accounts order by number`.execute(db);
  await sql`insert into ledger_accounts (kind, product_code) values ('funding', 'own')`.execute(db);
  for (const merchant of merchants) await sql`insert into ledger_accounts (kind, product_code, merchant_id) values ('merchant', 'own', ${merchant})`.execute(db);
  await sql`
    with ops as (insert into operations (type, account_id, amount) select 'credit', account_id, balance from wallets returning id, account_id)
    insert into postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
    select ops.id, w.id, null, 'own', w.balance from ops join wallets w on w.account_id = ops.account_id
    union all
    select ops.id, null, (select id from ledger_accounts where kind = 'funding'), 'own', -100000000 from ops`.execute(db);
  await sql`insert into identifiers (kind, value, account_id) select 'card_uid', upper(lpad(to_hex(w.id::int), 8, '0')), w.account_id from wallets w`.execute(db);
  await sql`vacuum analyze`.execute(db);
}

async function waitForReady() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('prepaid server did not become ready');
}

/** The authorization transaction as plain SQL: debit the wallet with its balance check, the operation, two postings (to a random one of the merchants). */
async function pgbench(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pgbench-'));
  const script = join(dir, 'authorize.sql');
  writeFileSync(
    script,
    `\\set wid random(1, ${ACCOUNTS})
\\set lid random(2, ${MERCHANTS + 1})
BEGIN;
UPDATE wallets SET balance = balance - 100, day_debit = day_debit + 100, month_debit = month_debit + 100 WHERE id = :wid AND balance - 100 >= min_balance;
WITH op AS (INSERT INTO operations (type, account_id, merchant_id, amount) SELECT 'purchase', w.account_id, la.merchant_id, 100 FROM wallets w, ledger_accounts la WHERE w.id = :wid AND la.id = :lid RETURNING id)
INSERT INTO postings (operation_id, wallet_id, ledger_account_id, product_code, amount)
SELECT id, :wid, NULL, 'own', -100 FROM op UNION ALL SELECT id, NULL, :lid, 'own', 100 FROM op;
END;
`,
  );
  const { stdout } = await run('pgbench', ['-n', '-c', '16', '-j', '2', '-T', String(seconds), '-f', script, url]);
  const tps = /tps = ([\d.]+)/.exec(stdout);
  if (!tps) throw new Error(`could not read pgbench output:\n${stdout}`);
  return Number(tps[1]);
}
