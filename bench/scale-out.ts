// `npm run bench:scale`: the scale-out proof. On servers of its own (bench/support/private-servers.ts: one
// PostgreSQL, one RabbitMQ, one Redis), runs 1, 2 and 3 prepaid instances behind nginx and drives POS purchases
// at full speed through the balancer; then 1 and 2 cabinet-front instances with the consumer pages' calls.
// Prints requests/s per instance count, and proves nothing was lost: every purchase answered to a terminal
// (approved or declined) is an idempotency record, every approved one an operation, and the ledger verifies.
// BENCH_SECONDS per run (default 15). Needs root and Debian's postgresql, rabbitmq-server, redis-server, nginx.
// BENCH_INSTANCE_CPU (default 0.4 where cgroups are writable, else 0 = uncapped): each instance is capped at
// that fraction of a core, as if each ran on a small node of its own — on a 2-core box that is the only
// way the instances, not PostgreSQL on the same cores, are what limits throughput.
import autocannon from 'autocannon';
import { createDatabase, ensureDatabase, kernelMigrations, migrate, withDatabase } from '@app/kernel';
import { prepaidMigrations, verifyLedger, type PrepaidDb } from '@app/prepaid';
import { sql } from 'kysely';
import { benchKeys, cabinetPages, loadCabinetFront } from './support/cabinet-front-load.js';
import { cardOf, seedProgramme } from './support/prepaid-seed.js';
import { cpuLimitAvailable, limitCpu, type CpuLimit } from './support/cpu-limit.js';
import { startNginx, startPostgres, startRabbit, startRedis, startService, stopService } from './support/private-servers.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const ACCOUNTS = 5_000;
const TERMINALS = 32;
const CONNECTIONS = 64;
const instanceCpu = Number(process.env.BENCH_INSTANCE_CPU ?? (cpuLimitAvailable() ? 0.4 : 0));
const ports = { pg: 5492, rabbit: 5692, redis: 6392, lb: 3950, prepaid: [3951, 3952, 3953], front: [3961, 3962] };

console.log('starting PostgreSQL, RabbitMQ and Redis for the run…');
const [pg, rabbit, redis] = await Promise.all([startPostgres(ports.pg), startRabbit(ports.rabbit), startRedis(ports.redis)]);
const prepaidUrl = withDatabase(pg.url, 'prepaid');
const frontUrl = withDatabase(pg.url, 'cabinet_front');
await ensureDatabase(pg.url, 'prepaid');
await ensureDatabase(pg.url, 'cabinet_front');
const database = await createDatabase<PrepaidDb>({ url: prepaidUrl, poolSize: 8 });
await migrate(database, [kernelMigrations, ...prepaidMigrations]);
console.log(`seeding ${ACCOUNTS.toLocaleString('en')} funded accounts and ${TERMINALS} terminals…`);
await seedProgramme(database, { prefix: 'SCALE', terminals: TERMINALS, accounts: ACCOUNTS, balance: 100_000_000n });
const common = { AMQP_URL: rabbit.url, REDIS_URL: redis.url, NODE_ENV: 'test', LOG_LEVEL: 'error' };

const limits: CpuLimit[] = [];
const capped = <T extends { pid?: number }>(children: T[], name: string) => {
  if (instanceCpu > 0) children.forEach((c, i) => limits.push(limitCpu(c.pid!, `${name}-${i}`, instanceCpu)));
  return children;
};
const uncap = () => limits.splice(0).forEach((l) => l.release());
console.log(instanceCpu > 0 ? `each instance capped at ${instanceCpu} CPU (cgroup); PostgreSQL, nginx and the load generator uncapped` : 'instances uncapped');

const results: Array<{ service: string; instances: number; rps: number; p99: number; non2xx: number; errors: number }> = [];
let counter = 0;

for (const n of [1, 2, 3]) {
  const instances = capped(await Promise.all(ports.prepaid.slice(0, n).map((p) => startService('packages/prepaid/src/main.ts', p, { ...common, DATABASE_URL: prepaidUrl, EXCHANGE_TABLES: 'false' }))), 'prepaid');
  const lb = await startNginx(ports.lb, ports.prepaid.slice(0, n));
  await purchases(3); // warm-up
  const r = await purchases(seconds);
  results.push({ service: 'prepaid POS purchases', instances: n, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts });
  console.log(`  prepaid × ${n}: ${Math.round(r.requests.average)} purchases/s`);
  await lb.stop();
  await Promise.all(instances.map((c) => stopService(c)));
  uncap();
}

// Nothing lost: each request had its own key; every answered one is recorded once, every approval is one operation.
const counts = (await sql<{ keys: number; approved: number; operations: number }>`
  select count(*)::int as keys,
         count(*) filter (where response->>'status' = 'approved')::int as approved,
         count(distinct operation_id)::int as operations
  from idempotency_keys where key like '%scale:%'`.execute(database.db)).rows[0]!;
const purchaseOps = Number((await sql<{ n: number }>`select count(*)::int as n from operations where type = 'purchase'`.execute(database.db)).rows[0]!.n);
const verify = await verifyLedger(database.db);

console.log('loading 2,000 consumers into cabinet-front…');
const keys = benchKeys();
const sessions = await loadCabinetFront(frontUrl, keys, 2_000, 1_000);
// Production settings as deployed; the pages read send no mail, so the SMTP server named need not exist.
for (const n of [1, 2]) {
  const instances = capped(await Promise.all(ports.front.slice(0, n).map((p) => startService('packages/cabinet-front/src/main.ts', p, { ...common, ...keys, DATABASE_URL: frontUrl, NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:2525' }))), 'front');
  const lb = await startNginx(ports.lb, ports.front.slice(0, n));
  const next = cabinetPages(sessions);
  const page = (duration: number) =>
    autocannon({ url: `http://127.0.0.1:${ports.lb}`, connections: CONNECTIONS, duration, requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }] });
  await page(3);
  const r = await page(seconds);
  results.push({ service: 'cabinet-front pages', instances: n, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts });
  console.log(`  cabinet-front × ${n}: ${Math.round(r.requests.average)} requests/s`);
  await lb.stop();
  await Promise.all(instances.map((c) => stopService(c)));
  uncap();
}

const table = [
  '| service | instances | requests/s | p99 ms | non-2xx | errors |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.service} | ${r.instances} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p99} | ${r.non2xx} | ${r.errors} |`),
].join('\n');
const lost = counts.approved !== purchaseOps || counts.operations !== counts.approved;
console.log(`
${table}

POS purchases answered: ${counts.keys.toLocaleString('en')} (each key recorded once); approved ${counts.approved.toLocaleString('en')}, purchase operations ${purchaseOps.toLocaleString('en')} — ${lost ? 'MISMATCH' : 'one operation per approval'}; ledger verify ${verify.ok ? 'OK' : 'FAILED'}.
One machine (${(await import('node:os')).cpus().length} cores) holds nginx, the instances, PostgreSQL and the load generator${instanceCpu > 0 ? `; each instance capped at ${instanceCpu} CPU` : ''}: growth stops where the cores run out.
`);
await database.close();
await Promise.all([pg.stop(), rabbit.stop(), redis.stop()]);
process.exit(verify.ok && !lost ? 0 : 1);

function purchases(duration: number) {
  return autocannon({
    url: `http://127.0.0.1:${ports.lb}`,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/api/pos/v1/purchases',
        setupRequest: (request) => {
          const i = counter++;
          const t = i % TERMINALS;
          const card = cardOf(((i * 7919) % ACCOUNTS) + 1);
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`SCALE-${t}:secret-${t}`).toString('base64')}` },
            body: JSON.stringify({ idempotencyKey: `scale:${i}`, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 100 }] }),
          };
        },
      },
    ],
  });
}
