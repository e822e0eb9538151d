// `npm run bench:registry`: a 100,000-line credit registry (CSV) received, validated and applied on real
// PostgreSQL through RegistryService — the path the staff upload, the file exchange and the partner API
// share. Prints lines per second per stage and overall, and the process's peak RSS. Needs DATABASE_URL (a
// server where it may create and drop the database `bench_registry`). BENCH_LINES changes the size,
// BENCH_KEEP=1 keeps the database.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { sql } from 'kysely';
import { createDatabase, dropDatabase, ensureDatabase, kernelMigrations, migrate, withDatabase } from '@app/kernel';
import { prepaidMigrations, verifyLedger, type PrepaidDb } from '@app/prepaid';
import { RegistryService } from '../packages/prepaid/src/registries/registry.service.js';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('bench:registry needs DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:registry');
  process.exit(1);
}
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const NAME = 'bench_registry';

await dropDatabase(serverUrl, NAME);
await ensureDatabase(serverUrl, NAME);
const database = await createDatabase<PrepaidDb>({ url: withDatabase(serverUrl, NAME), poolSize: 4 });
await migrate(database, [kernelMigrations, ...prepaidMigrations]);

console.log(`seeding ${LINES.toLocaleString('en')} clients, each with an account and a meals wallet…`);
await seed();

const dir = await mkdtemp(join(tmpdir(), 'bench-registry-'));
const file = join(dir, `CR-BENCH-${Date.now()}.csv`);
const expected = await writeRegistry(file);
const bytes = (await stat(file)).size;
console.log(`registry file: ${LINES.toLocaleString('en')} lines, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);

const rssBefore = process.resourceUsage().maxRSS;
const registries = new RegistryService(database);
let lastPrint = 0;
const progress = (p: { status: string; lines: { total: number; applied: number } }) => {
  if (Date.now() - lastPrint < 2000) return;
  lastPrint = Date.now();
  console.log(`  ${p.status.padEnd(9)} read ${p.lines.total.toLocaleString('en').padStart(7)}  applied ${p.lines.applied.toLocaleString('en').padStart(7)}  rss ${mib(process.memoryUsage().rss)} MiB`);
};

const t0 = performance.now();
const { registry } = await registries.receive(createReadStream(file), { kind: 'credits', format: 'csv', fileName: file, source: 'file', receivedBy: 'bench', onProgress: progress });
const t1 = performance.now();
const applied = await registries.apply(registry.id, { appliedBy: 'bench', onProgress: progress });
const t2 = performance.now();

const peak = process.resourceUsage().maxRSS * 1024;
const report = await verifyLedger(database.db);
const total = (await sql<{ total: string; n: string }>`select coalesce(sum(balance), 0)::text as total, count(*) filter (where balance > 0)::text as n from wallets`.execute(database.db)).rows[0]!;
await database.close();
await rm(dir, { recursive: true, force: true });

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en').padStart(7)} lines/s`;
const ok = report.ok && applied.status === 'applied' && applied.lines.applied === LINES && BigInt(total.total) === expected;
console.log(`
Credit registry benchmark — ${LINES.toLocaleString('en')} lines, CSV ${(bytes / 1024 / 1024).toFixed(1)} MiB, one process, PostgreSQL at DATABASE_URL
  receive + validate   ${((t1 - t0) / 1000).toFixed(1).padStart(6)} s   ${rate(LINES, t1 - t0)}
  apply                ${((t2 - t1) / 1000).toFixed(1).padStart(6)} s   ${rate(LINES, t2 - t1)}
  overall              ${((t2 - t0) / 1000).toFixed(1).padStart(6)} s   ${rate(LINES, t2 - t0)}   (target ≥ 5,000 lines/s)
  peak RSS             ${mib(peak).padStart(6)} MiB (before the registry: ${mib(rssBefore * 1024)} MiB; target < 300 MiB)
  lines applied ${applied.lines.applied.toLocaleString('en')}, failed ${applied.lines.failed}, wallets credited ${Number(total.n).toLocaleString('en')}
  sum of balances ${total.total} kopecks, expected ${expected}; ledger verify: ${report.ok ? 'OK' : `FAILED ${report.problems.join('; ')}`}
`);
if (!process.env.BENCH_KEEP) await dropDatabase(serverUrl, NAME);
process.exit(ok ? 0 : 1);

async function seed() {
  const db = database.db;
  await sql`insert into products (code, name) values ('meals', 'Питание')`.execute(db);
  await sql`insert into clients (external_id, full_name) select 'E' || g, 'Client ' || g from generate_series(1, ${LINES}) g`.execute(db);
  await sql`insert into accounts (client_id, number) select id, '9' || lpad(substr(external_id, 2), 15, '0') from clients`.execute(db);
  await sql`insert into wallets (account_id, product_code) select id, 'meals' from accounts order by number`.execute(db);
  await sql`vacuum analyze`.execute(db);
}

/** Writes the CSV line by line, honouring back-pressure (never the whole file in memory); the sum of its amounts. */
async function writeRegistry(path: string): Promise<bigint> {
  const out = createWriteStream(path);
  out.write('line_id;client_id;product;amount;kind\n');
  let sum = 0n;
  for (let i = 1; i <= LINES; i++) {
    const kopecks = 10_000 + ((i * 7919) % 500_000);
    sum += BigInt(kopecks);
    const line = `${i};E${i};meals;${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')};credit\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return sum;
}

function mib(bytes: number) {
  return (bytes / 1024 / 1024).toFixed(0);
}
