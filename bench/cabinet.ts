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
import { join } from 'node:path';
import autocannon from 'autocannon';
import { dropDatabase, ensureDatabase, withDatabase } from '@app/kernel';
import { runOpenLoop } from './open-loop.js';
import { benchKeys, cabinetPages, loadCabinetFront } from './support/cabinet-front-load.js';

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

const keySettings = benchKeys();

const url = withDatabase(serverUrl, 'bench_cabinet_front');
await dropDatabase(serverUrl, 'bench_cabinet_front');
await ensureDatabase(serverUrl, 'bench_cabinet_front');

const started = performance.now();
console.log(`loading ${CONSUMERS.toLocaleString('en')} consumers (contract, object, 2 points, 2 meters, 12 months of account card, invoices, payments and readings, a month of hourly data each)…`);
const sessions = await loadCabinetFront(url, keySettings, CONSUMERS, SESSIONS, (n) => process.stdout.write(`  ${n.toLocaleString('en')} consumers\n`));
console.log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const server = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['packages/cabinet-front/src/main.ts'], {
  env: { ...process.env, ...keySettings, DATABASE_URL: url, PORT: String(PORT), LOG_LEVEL: 'warn', AMQP_URL: '', NODE_ENV: 'production' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  await waitForReady();
  const next = cabinetPages(sessions);
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
}

function closedLoop(connections: number) {
  const next = cabinetPages(sessions);
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
