// `npm run drill:faults`: fault drills under load, on servers of the drill's own (bench/support/private-servers.ts),
// so they can be restarted and killed without touching the machine's. Prints a table (docs/fault-drills.md).
//
// Load, all through the drill: POS purchases through nginx to two prepaid instances (16 terminals at once, each
// purchase with its own idempotency key, retried with the same key on an error or a lost answer as a terminal
// would), and readings sent by a consumer to cabinet-front (in this process) that cabinet-back (its own
// process) hands to the reference billing. Faults, one after another while the load runs: PostgreSQL restarted,
// RabbitMQ restarted, Redis flushed, Redis restarted, one prepaid instance killed with SIGKILL (then started
// again), cabinet-back killed with SIGKILL (then started again).
// Afterwards: the ledger verifies; every purchase approved to a terminal is in the journal exactly once and
// nothing else is; every reading the front accepted is in billing exactly once.
import { randomUUID } from 'node:crypto';
import { openBillingDatabase, seedBillingDemo } from '@app/billing-ref';
import { demoBillingContracts } from '@app/cabinet-back';
import { cabinetFrontMigrations, createCabinetFrontApp, MemoryOtpSender, resolveKeyRing } from '@app/cabinet-front';
import { createBus, createCache, createDatabase, createLogger, ensureDatabase, fastHashingForTests, kernelMigrations, migrate, startOutboxRelay, withDatabase, type HttpApp } from '@app/kernel';
import { testConfig } from '@app/kernel/testing';
import { prepaidMigrations, verifyLedger, type PrepaidDb } from '@app/prepaid';
import { sql } from 'kysely';
import { cardOf, seedProgramme } from './support/prepaid-seed.js';
import { sleep, startNginx, startPostgres, startRabbit, startRedis, startService, stopService } from './support/private-servers.js';

const ACCOUNTS = 2_000;
const TERMINALS = 16;
const PHASE_MS = Number(process.env.DRILL_PHASE_MS ?? 8_000);
const ports = { pg: 5491, rabbit: 5691, redis: 6391, lb: 3930, prepaid: [3931, 3932], back: 3942 };
const logger = createLogger({ service: 'drill', level: 'silent' });

console.log('starting the drill servers (PostgreSQL, RabbitMQ, Redis)…');
const [pg, rabbit, redis] = await Promise.all([startPostgres(ports.pg), startRabbit(ports.rabbit), startRedis(ports.redis)]);
const urls = { prepaid: withDatabase(pg.url, 'prepaid'), front: withDatabase(pg.url, 'cabinet_front'), back: withDatabase(pg.url, 'cabinet_back'), billing: withDatabase(pg.url, 'billing') };
for (const name of ['prepaid', 'cabinet_front', 'cabinet_back', 'billing']) await ensureDatabase(pg.url, name);

// ---- prepaid: a programme, cards with money, two instances behind nginx ----
const prepaidDb = await createDatabase<PrepaidDb>({ url: urls.prepaid, poolSize: 8 });
await migrate(prepaidDb, [kernelMigrations, ...prepaidMigrations]);
await seedProgramme(prepaidDb, { prefix: 'DRILL', terminals: TERMINALS, accounts: ACCOUNTS, balance: 10_000_000n });
const prepaidEnv = { DATABASE_URL: urls.prepaid, AMQP_URL: rabbit.url, REDIS_URL: redis.url, NODE_ENV: 'test', EXCHANGE_TABLES: 'false' };
const instances = await Promise.all(ports.prepaid.map((p) => startService('packages/prepaid/src/main.ts', p, prepaidEnv)));
const lb = await startNginx(ports.lb, ports.prepaid);

// ---- cabinet: billing with demo data, the back as a process, the front here ----
console.log('generating the reference billing demo data…');
const billingDb = await openBillingDatabase({ url: urls.billing, dataDir: '/tmp' });
await seedBillingDemo(billingDb, { consumers: 50 });
const backEnv = { DATABASE_URL: urls.back, BILLING_DATABASE_URL: urls.billing, AMQP_URL: rabbit.url, REDIS_URL: redis.url, NODE_ENV: 'test', BILLING_SYNC_INTERVAL_MS: '1000' };
let back = await startService('packages/cabinet-back/src/main.ts', ports.back, backEnv);
const front = await startFront();

// ---- the load ----
type Outcome = { approved: Set<string>; declined: number; retries: number; gaveUp: number };
const pos: Outcome = { approved: new Set(), declined: 0, retries: 0, gaveUp: 0 };
const readings = { accepted: new Set<string>(), refused: 0, errors: 0 };
let running = true;
const posLoad = Promise.all(Array.from({ length: TERMINALS }, (_, t) => terminalLoop(t)));
const readingsLoad = readingsLoop();

const rows: Array<{ fault: string; what: string; posErrors: number; readingErrors: number }> = [];
async function phase(fault: string, what: string, act: () => Promise<void>) {
  const before = { pos: pos.retries, readings: readings.errors };
  await act();
  await sleep(PHASE_MS);
  rows.push({ fault, what, posErrors: pos.retries - before.pos, readingErrors: readings.errors - before.readings });
  console.log(`  ${fault}: done (${pos.approved.size} purchases approved so far, ${readings.accepted.size} readings sent)`);
}

await phase('none (baseline)', 'load only', async () => {});
await phase('PostgreSQL restarted', 'pg_ctl restart -m fast of the one server all four databases are on', () => pg.restart());
await phase('RabbitMQ restarted', 'rabbitmqctl stop_app, 2 s, start_app', () => rabbit.restart());
await phase('Redis flushed', 'FLUSHALL (cached terminals, identifiers, rate-limit counters gone)', () => redis.flush());
await phase('Redis restarted', 'shutdown nosave, 1 s, start', () => redis.restart());
await phase('prepaid instance killed', 'SIGKILL of one of two instances mid-load, started again 3 s later', async () => {
  await stopService(instances[0]!, 'SIGKILL');
  await sleep(3_000);
  instances[0] = await startService('packages/prepaid/src/main.ts', ports.prepaid[0]!, prepaidEnv);
});
await phase('cabinet-back killed', 'SIGKILL of the back while readings flow, started again 3 s later', async () => {
  await stopService(back, 'SIGKILL');
  await sleep(3_000);
  back = await startService('packages/cabinet-back/src/main.ts', ports.back, backEnv);
});
running = false;
await Promise.all([posLoad, readingsLoad]);

// ---- the checks ----
console.log('checking…');
const verify = await verifyLedger(prepaidDb.db);
const keyed = (await sql<{ keys: number; operations: number }>`
  select count(*)::int as keys, count(distinct operation_id)::int as operations
  from idempotency_keys where key like '%drill:%' and response->>'status' = 'approved'`.execute(prepaidDb.db)).rows[0]!;
const purchases = Number((await sql<{ n: number }>`select count(*)::int as n from operations where type = 'purchase'`.execute(prepaidDb.db)).rows[0]!.n);
const inBilling = await waitForBilling([...readings.accepted]);

const ok = (b: boolean) => (b ? 'yes' : '**NO**');
const allGood = verify.ok && purchases === pos.approved.size && keyed.keys === pos.approved.size && keyed.operations === keyed.keys && inBilling.present === readings.accepted.size && inBilling.duplicates === 0;
const table = [
  '| fault | how | POS requests retried by terminals | reading requests failed at the front |',
  '| --- | --- | ---: | ---: |',
  ...rows.map((r) => `| ${r.fault} | ${r.what} | ${r.posErrors} | ${r.readingErrors} |`),
].join('\n');
console.log(`
${table}

Afterwards (${new Date().toISOString().slice(0, 10)}, ${ACCOUNTS} accounts, ${TERMINALS} terminals, phases of ${PHASE_MS / 1000} s):
- purchases approved to terminals: ${pos.approved.size}; purchase operations in the journal: ${purchases} — each approved once, nothing else: ${ok(purchases === pos.approved.size)}; approved idempotency keys ${keyed.keys}, each with its own operation: ${ok(keyed.keys === pos.approved.size && keyed.operations === keyed.keys)}
- declined: ${pos.declined}; gave up after 30 tries: ${pos.gaveUp}
- ledger verify: ${verify.ok ? 'OK' : `FAILED: ${verify.problems.slice(0, 5).join('; ')}`} (${verify.counts.operations} operations, ${verify.counts.postings} postings)
- readings accepted by the front: ${readings.accepted.size}; in billing: ${inBilling.present} (duplicates ${inBilling.duplicates}) — each delivered once: ${ok(inBilling.present === readings.accepted.size && inBilling.duplicates === 0)}
`);

await front.close();
await Promise.all(instances.map((c) => stopService(c)));
await stopService(back);
await lb.stop();
await prepaidDb.close();
await billingDb.close();
await Promise.all([pg.stop(), rabbit.stop(), redis.stop()]);
process.exit(allGood ? 0 : 1);

// ---------------------------------------------------------------------------------------------------------

async function terminalLoop(t: number) {
  const auth = `Basic ${Buffer.from(`DRILL-${t}:secret-${t}`).toString('base64')}`;
  let n = 0;
  while (running) {
    const key = `drill:${t}:${n++}`;
    const card = cardOf(((t * 7919 + n * 104_729) % ACCOUNTS) + 1);
    const body = JSON.stringify({ idempotencyKey: key, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 100 }] });
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`http://127.0.0.1:${ports.lb}/api/pos/v1/purchases`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) {
          const answer = (await res.json()) as { status: string };
          if (answer.status === 'approved') pos.approved.add(key);
          else pos.declined++;
          break;
        }
        await res.body?.cancel();
      } catch {
        // no answer: the terminal does not know whether it went through, so it asks again with the same key
      }
      pos.retries++;
      if (attempt >= 30) {
        pos.gaveUp++;
        break;
      }
      await sleep(300);
    }
  }
}

async function startFront() {
  const database = await createDatabase({ url: urls.front, poolSize: 6 });
  await migrate(database, [kernelMigrations, ...cabinetFrontMigrations]);
  const bus = createBus({ url: rabbit.url, logger, service: 'cabinet-front' });
  const cache = createCache({ url: redis.url, prefix: 'front:' });
  const runtime = { service: 'cabinet-front', logger, database, bus, cache };
  for (let i = 0; i < 100 && !bus.isConnected(); i++) await sleep(100);
  const relay = startOutboxRelay(runtime);
  const otp = new MemoryOtpSender();
  const app: HttpApp = await createCabinetFrontApp(runtime, testConfig, { hashing: fastHashingForTests, otpSender: otp, keys: resolveKeyRing({ NODE_ENV: 'test' }), nudge: () => relay.nudge() });
  await app.ready();
  const email = `drill-${randomUUID().slice(0, 6)}@consumer.test`;
  const start = await app.inject({ method: 'POST', url: '/auth/register', payload: { email } });
  await app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code: otp.lastCodeFor(email), password: 'Drill-Pass-2026' } });
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: email, password: 'Drill-Pass-2026' } });
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const csrf = login.json().csrfToken as string;
  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) => app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload ? { payload: payload as object } : {}) });
  const c = demoBillingContracts.organisation; // readings accepted any day of the month
  await call('POST', '/api/links/by-secret', { contractNumber: c.number, secret: c.secret });
  for (let i = 0; i < 300; i++) {
    if ((await call('GET', '/api/meters')).json().total > 0) break;
    await sleep(200);
  }
  return { call, close: async () => { await app.close(); await relay.stop(); await bus.close(); await cache.close(); await database.close(); } };
}

async function readingsLoop() {
  const meters = (await front.call('GET', '/api/meters?limit=200')).json().items as Array<{ id: string; kind: string; fractionDigits: number; zones: string[]; lastReadings: Array<{ zone: string; value: string }> }>;
  const targets = meters.filter((m) => m.kind === 'integral' && m.lastReadings.length > 0);
  const today = new Date().toISOString().slice(0, 10);
  let step = 0;
  while (running) {
    const meter = targets[step % targets.length]!;
    const last = meter.lastReadings[0]!;
    // Each value a little above the last one sent; billing accepts or rejects it, either way it must arrive once.
    const value = (Number(last.value) + 0.01 * (1 + Math.floor(step / targets.length))).toFixed(meter.fractionDigits);
    step++;
    try {
      const res = await front.call('POST', '/api/readings', { readings: [{ meterId: meter.id, zone: last.zone, date: today, value }], confirmJump: true });
      if (res.statusCode === 202) for (const r of res.json().readings as Array<{ id: string }>) readings.accepted.add(r.id);
      else if (res.statusCode === 422) readings.refused++;
      else readings.errors++;
    } catch {
      readings.errors++;
    }
    await sleep(150);
  }
}

async function waitForBilling(ids: string[]) {
  const db = billingDb;
  let present = 0;
  let duplicates = 0;
  for (let i = 0; i < 300; i++) {
    const rows = ids.length ? await db.db.selectFrom('readings').select(['cabinet_reading_id']).where('cabinet_reading_id', 'in', ids).execute() : [];
    present = new Set(rows.map((r) => r.cabinet_reading_id)).size;
    duplicates = rows.length - present;
    if (present === ids.length) break;
    await sleep(500);
  }
  return { present, duplicates };
}
