// `npm run bench:cabinet`: the consumer's main pages' API calls against one cabinet-front instance on real
// PostgreSQL with 10,000 consumers, at a fixed 500 requests/s (open loop: latency from the moment each
// request was due) and then at full speed. Needs DATABASE_URL (a server where it may create and drop the
// database `bench_cabinet_front`). BENCH_SECONDS (default 20) per run; BENCH_RATE (default 500).
//
// The front's database is loaded with the front's own code: the read model's appliers (what the event
// consumer runs for a `consumer.snapshot` and a `profile.computed`) and the consumer-user row registration
// writes, personal data encrypted as in production. Sessions are written directly (a login per consumer
// would only measure argon2id).
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { ConsumerSnapshot, HourlyDay } from '@app/cabinet-contracts';
import { applyHourly, applySnapshot, cabinetFrontMigrations, insertConsumerUser, keyRingFrom, loginKeyOf, parseLogin, Pii } from '@app/cabinet-front';
import { createDatabase, dropDatabase, ensureDatabase, kernelMigrations, migrate, withDatabase } from '@app/kernel';
import type { Transaction } from 'kysely';
import { runOpenLoop, type LoadRequest } from './open-loop.js';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('bench:cabinet needs DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:cabinet');
  process.exit(1);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rate = Number(process.env.BENCH_RATE ?? 500);
const CONSUMERS = Number(process.env.BENCH_CONSUMERS ?? 10_000);
const SESSIONS = Math.min(CONSUMERS, 2_000);
const PORT = 3910;
const MONTHS = 12;

// Keys of this run only (production refuses the development keys).
const keySettings = { FIELD_KEYS: `bench1:${randomBytes(32).toString('base64')}`, FIELD_KEY_CURRENT: 'bench1', BLIND_INDEX_KEY: randomBytes(32).toString('base64') };
const pii = new Pii(keyRingFrom(keySettings));

const url = withDatabase(serverUrl, 'bench_cabinet_front');
await dropDatabase(serverUrl, 'bench_cabinet_front');
await ensureDatabase(serverUrl, 'bench_cabinet_front');
type Trx = Parameters<typeof applySnapshot>[0];
type FrontDb = Trx extends Transaction<infer D> ? D : never;
const database = await createDatabase<FrontDb>({ url, poolSize: 4 });
await migrate(database, [kernelMigrations, ...cabinetFrontMigrations]);

const started = performance.now();
console.log(`loading ${CONSUMERS.toLocaleString('en')} consumers (contract, object, 2 points, 2 meters, ${MONTHS} months of account card, invoices, payments and readings, a month of hourly data each)…`);
const sessions = await load();
console.log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const server = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['packages/cabinet-front/src/main.ts'], {
  env: { ...process.env, ...keySettings, DATABASE_URL: url, PORT: String(PORT), LOG_LEVEL: 'warn', AMQP_URL: '', NODE_ENV: 'production' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  await waitForReady();
  const next = pages();
  // Warm-up: connections, prepared plans, the JIT.
  await runOpenLoop({ port: PORT, rate: 200, seconds: 3, next });
  const fixed = await runOpenLoop({ port: PORT, rate, seconds, next });
  const max = await closedLoop(32);

  const row = (name: string, p: { p50: number; p95: number; p99: number; count?: number }) =>
    `  ${name.padEnd(22)} ${String(p.count ?? '').padStart(7)}  p50 ${p.p50.toFixed(1).padStart(6)} ms  p95 ${p.p95.toFixed(1).padStart(6)} ms  p99 ${p.p99.toFixed(1).padStart(6)} ms`;
  console.log(`\nCabinet front — ${CONSUMERS.toLocaleString('en')} consumers, one instance, PostgreSQL at DATABASE_URL, ${SESSIONS.toLocaleString('en')} sessions`);
  console.log(`\nOpen loop at ${rate}/s for ${seconds} s: ${fixed.achievedRps.toFixed(0)} requests/s achieved, ${fixed.errors} errors ${JSON.stringify(fixed.statuses)}`);
  console.log(row('all pages', fixed.overall));
  for (const [name, p] of Object.entries(fixed.pages).sort()) console.log(row(name, p));
  console.log(`  target: p95 < 50 ms at 500 requests/s — ${fixed.overall.p95 < 50 && fixed.achievedRps >= rate * 0.98 && fixed.errors === 0 ? 'met' : 'NOT met'}`);
  console.log(`\nFull speed, 32 connections, ${seconds} s: ${max.requests.average.toFixed(0)} requests/s, p50 ${max.latency.p50} ms, p99 ${max.latency.p99} ms, non-2xx ${max.non2xx}, errors ${max.errors}`);
} finally {
  server.kill('SIGTERM');
  await database.close();
}

/** The calls the cabinet's pages make, for a random consumer with a session, round-robin over pages. */
function pages(): () => LoadRequest {
  let n = 0;
  const month = (i: number) => monthOf(MONTHS - 1 - i);
  return () => {
    const s = sessions[(n * 7919) % sessions.length]!;
    const headers = { cookie: `cabinet_sid=${s.token}` };
    const i = s.index;
    const list: LoadRequest[] = [
      { page: 'summary', method: 'GET', path: '/api/summary', headers },
      { page: 'contracts', method: 'GET', path: '/api/contracts', headers },
      { page: 'contract', method: 'GET', path: `/api/contracts/c${i}`, headers },
      { page: 'meters', method: 'GET', path: '/api/meters', headers },
      { page: 'readings', method: 'GET', path: '/api/readings?limit=50', headers },
      { page: 'account card', method: 'GET', path: `/api/contracts/c${i}/account`, headers },
      { page: 'invoices', method: 'GET', path: '/api/invoices?limit=20', headers },
      { page: 'payments', method: 'GET', path: '/api/payments?limit=20', headers },
      { page: 'hourly (month)', method: 'GET', path: `/api/metering-points/p${i}-2/hourly?kind=metered&from=${month(0)}-01&to=${month(0)}-28`, headers },
    ];
    return list[n++ % list.length]!;
  };
}

function closedLoop(connections: number) {
  const next = pages();
  return autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const r = next();
          return { ...request, method: r.method, path: r.path, headers: r.headers };
        },
      },
    ],
  });
}

async function load(): Promise<Array<{ index: number; token: string }>> {
  const out: Array<{ index: number; token: string }> = [];
  const BATCH = 250;
  for (let from = 0; from < CONSUMERS; from += BATCH) {
    const to = Math.min(CONSUMERS, from + BATCH);
    await database.transaction(async (trx) => {
      for (let i = from; i < to; i++) {
        const email = `consumer${i}@bench.test`;
        const userId = randomUUID();
        await trx.insertInto('users').values({ id: userId, login_key: loginKeyOf(pii, email), display_name: '', password_hash: null, roles: ['consumer'] }).execute();
        await insertConsumerUser(trx, pii, userId, parseLogin(email)!, `Потребитель ${i}`);
        await trx.insertInto('memberships').values({ user_id: userId, consumer_ref: `k${i}`, role: 'owner', rights: ['view', 'submit_readings', 'pay', 'sign'] }).execute();
        await applySnapshot(trx, pii, snapshotOf(i));
        await applyHourly(trx, `k${i}`, '1', `p${i}-2`, 'metered', hourlyMonth(i));
        if (out.length < SESSIONS && i % Math.ceil(CONSUMERS / SESSIONS) === 0) {
          const token = randomBytes(32).toString('base64url');
          await trx
            .insertInto('sessions')
            .values({ token_hash: createHash('sha256').update(token).digest('base64url'), user_id: userId, csrf_token: randomBytes(16).toString('base64url'), expires_at: new Date(Date.now() + 86_400_000) })
            .execute();
          out.push({ index: i, token });
        }
      }
    });
    if ((to / BATCH) % 8 === 0 || to === CONSUMERS) process.stdout.write(`  ${to.toLocaleString('en')} consumers\n`);
  }
  return out;
}

function monthOf(back: number): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - back);
  return d.toISOString().slice(0, 7);
}

function snapshotOf(i: number): ConsumerSnapshot {
  const months = Array.from({ length: MONTHS }, (_, m) => monthOf(MONTHS - 1 - m));
  const meter = (id: string, kind: 'integral' | 'interval', zones: string[]) => ({
    id,
    serial: `SN${id}`,
    model: 'Меркурий 230',
    kind,
    digits: 6,
    fractionDigits: 2,
    transformationRatio: '1',
    zones,
    installedOn: '2020-01-15',
    verifiedOn: '2020-01-15',
    nextVerificationOn: '2036-01-15',
    lastReadings: zones.map((zone) => ({ zone, date: `${months.at(-1)}-01`, value: `${1000 + i % 500}.00` })),
    averageMonthlyKwh: '350',
  });
  let balance = 0n;
  const account = months.map((month) => {
    const charged = 250_000n + BigInt(i % 97) * 100n;
    const paid = 240_000n;
    const opening = balance;
    balance = opening + charged - paid;
    return { month, opening: String(opening), charged: String(charged), paid: String(paid), closing: String(balance), kwh: '350.000' };
  });
  return {
    consumerRef: `k${i}`,
    version: '1',
    profile: { kind: i % 3 === 0 ? 'organisation' : 'person', name: `Потребитель №${i}`, inn: String(7700000000 + i), email: `consumer${i}@bench.test`, phone: `+7900${String(i).padStart(7, '0')}`, address: `г. Москва, ул. Тестовая, д. ${i}` },
    contracts: [
      {
        id: `c${i}`,
        number: `B-${String(i).padStart(6, '0')}`,
        status: 'active',
        startedOn: '2020-01-01',
        readingWindow: { fromDay: 1, toDay: 31 },
        objects: [
          {
            id: `o${i}`,
            name: 'Объект',
            address: `г. Москва, ул. Тестовая, д. ${i}`,
            meteringPoints: [
              { id: `p${i}-1`, code: `MP${i}-1`, name: 'Ввод 1', voltage: '0.4', maxPowerKw: '15', meters: [meter(`m${i}-1`, 'integral', ['day', 'night'])] },
              { id: `p${i}-2`, code: `MP${i}-2`, name: 'Ввод 2', voltage: '0.4', maxPowerKw: '15', meters: [meter(`m${i}-2`, 'interval', ['total'])] },
            ],
          },
        ],
      },
    ],
    accounts: [{ contractId: `c${i}`, debt: String(balance), asOf: new Date().toISOString().slice(0, 10), months: account }],
    invoices: months.map((month, m) => ({ id: `inv${i}-${m}`, contractId: `c${i}`, kind: 'invoice' as const, number: `B-${i}/${month}`, period: month, issuedOn: `${month}-05`, dueOn: `${month}-15`, amount: account[m]!.charged, kwh: '350.000' })),
    payments: months.map((month, m) => ({ id: `pay${i}-${m}`, contractId: `c${i}`, paidOn: `${month}-14`, amount: '240000', document: `ПП ${m + 1}`, source: 'bank' })),
    readings: months.flatMap((month, m) =>
      ['day', 'night'].map((zone) => ({ billingReadingId: `r${i}-${m}-${zone}`, meterId: `m${i}-1`, zone, date: `${month}-01`, value: `${1000 + m * 10}.00`, source: 'cabinet', status: 'accepted' as const, consumptionKwh: '175.000', processedAt: `${month}-02T10:00:00.000Z` })),
    ),
  };
}

function hourlyMonth(i: number): HourlyDay[] {
  const month = monthOf(0);
  return Array.from({ length: 28 }, (_, d) => ({
    date: `${month}-${String(d + 1).padStart(2, '0')}`,
    hours: Array.from({ length: 24 }, (_, h) => (0.4 + ((i + d + h) % 10) / 10).toFixed(3)),
  }));
}

async function waitForReady() {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('cabinet-front did not become ready');
}
