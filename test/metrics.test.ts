import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cabinetBackMigrations, createCabinetBackApp, seedCabinetBackDemo } from '@app/cabinet-back';
import { cabinetFrontMigrations, createCabinetFrontApp, MemoryOtpSender, resolveKeyRing } from '@app/cabinet-front';
import { fastHashingForTests, registerRuntimeMetrics, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig, waitFor } from '@app/kernel/testing';
import { createPrepaidApp, demoStaff, prepaidMigrations, seedPrepaidDemo } from '@app/prepaid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, metricsUsed } from './support/deploy-files.js';

/**
 * The metrics that matter, scraped from the three services as they run (with some POS traffic, approved and
 * declined): every metric the Grafana dashboard and the alerts of deploy/ use is exposed by a service; and
 * Debian's Prometheus, started by the test with the scrape jobs of deploy/prometheus, finds every target up
 * and stores their series.
 */
const apps: Record<string, { app: HttpApp; port: number }> = {};
const closers: Array<() => Promise<unknown>> = [];
let prometheus: ChildProcess | undefined;
let dir: string | undefined;

beforeAll(async () => {
  const prepaid = await createTestRuntime('prepaid', prepaidMigrations);
  const front = await createTestRuntime('cabinet-front', cabinetFrontMigrations);
  const back = await createTestRuntime('cabinet-back', cabinetBackMigrations);
  closers.push(() => prepaid.close(), () => front.close(), () => back.close());
  await seedPrepaidDemo(prepaid.database, fastHashingForTests);
  await seedCabinetBackDemo(back.database, fastHashingForTests);
  const made = {
    prepaid: { app: await createPrepaidApp(prepaid, testConfig, { hashing: fastHashingForTests }), runtime: prepaid },
    'cabinet-front': { app: await createCabinetFrontApp(front, testConfig, { hashing: fastHashingForTests, otpSender: new MemoryOtpSender(), keys: resolveKeyRing({ NODE_ENV: 'test' }) }), runtime: front },
    'cabinet-back': { app: await createCabinetBackApp(back, testConfig, { hashing: fastHashingForTests }), runtime: back },
  };
  for (const [name, { app, runtime }] of Object.entries(made)) {
    registerRuntimeMetrics(app.metrics, runtime);
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    closers.push(() => app.close());
    apps[name] = { app, port };
  }
  await posTraffic(made.prepaid.app);
}, 120_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  for (const close of closers.reverse()) await close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A purchase approved and one declined, through the POS API, so the POS series exist. */
async function posTraffic(app: HttpApp) {
  const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    sessions[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
  const as = (login: string, url: string, payload: object) => app.inject({ method: 'POST', url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf }, payload });
  await as('manager', '/api/products', { code: 'meals', name: 'Питание' });
  const merchant = (await as('manager', '/api/merchants', { code: 'm-1', name: 'Столовая', products: ['meals'] })).json();
  const terminal = (await as('manager', '/api/terminals', { code: 'T-M', merchantId: merchant.id })).json();
  const client = (await as('operator', '/api/clients', { fullName: 'Клиент' })).json();
  const account = (await as('operator', '/api/accounts', { clientId: client.id, products: ['meals'] })).json();
  await as('operator', `/api/accounts/${account.id}/identifiers`, { kind: 'card_uid', value: '0A0B0C0D' });
  await as('settlement', `/api/accounts/${account.id}/credits`, { idempotencyKey: 'm-c1', product: 'meals', amount: 1_000 });
  const buy = (key: string, amount: number) =>
    app.inject({
      method: 'POST',
      url: '/api/pos/v1/purchases',
      headers: { authorization: `Basic ${Buffer.from(`T-M:${terminal.secret}`).toString('base64')}` },
      payload: { idempotencyKey: key, identifier: { kind: 'card_uid', value: '0A0B0C0D' }, basket: [{ product: 'meals', amount }] },
    });
  expect((await buy('m-p1', 500)).json().status).toBe('approved');
  expect((await buy('m-p2', 5_000)).json()).toMatchObject({ status: 'declined', code: 'insufficient_funds' });
}

const exposed = async (port: number) => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { text, names: new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!)) };
};

describe('metrics', () => {
  it('exposes every metric the dashboard and the alerts use', async () => {
    const all = new Set<string>();
    for (const { port } of Object.values(apps)) for (const name of (await exposed(port)).names) all.add(name);
    const missing = metricsUsed().filter((m) => m !== 'up' && !all.has(m));
    expect(missing).toEqual([]);
  });

  it('counts POS declines by code and shows the outbox and the bus on every service', async () => {
    const prepaid = (await exposed(apps.prepaid!.port)).text;
    expect(prepaid).toMatch(/pos_declines_total\{[^}]*code="insufficient_funds"[^}]*\} 1/);
    expect(prepaid).toMatch(/pos_purchase_path_total\{[^}]*\} [1-9]/);
    for (const { port } of Object.values(apps)) {
      const { text } = await exposed(port);
      expect(text).toMatch(/^outbox_pending_messages\{[^}]*\} \d+$/m);
      expect(text).toMatch(/^bus_connected\{[^}]*\} 1$/m);
    }
  });

  it.skipIf(!existsSync('/usr/bin/prometheus'))('is scraped by Prometheus with the jobs of deploy/prometheus: every target up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    const jobs = Object.entries(apps).map(([name, { port }]) => `  - job_name: ${name}\n    scrape_interval: 1s\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`);
    writeFileSync(join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n${jobs.join('\n')}\n`);
    const port = await freePort();
    prometheus = spawn('/usr/bin/prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const query = async (q: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await res.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }).data.result;
    };
    const up = await waitFor(async () => {
      const result = await query('up').catch(() => []);
      return result.length === 3 && result.every((r) => r.value[1] === '1') && result;
    }, { what: 'three targets up in Prometheus', timeoutMs: 30_000 });
    expect(up.map((r) => r.metric.job).sort()).toEqual(['cabinet-back', 'cabinet-front', 'prepaid']);
    const lag = await waitFor(async () => {
      const result = await query('outbox_oldest_pending_seconds');
      return result.length === 3 && result;
    }, { what: 'outbox lag of every service stored' });
    expect(lag.every((r) => Number.isFinite(Number(r.value[1])))).toBe(true);
    expect((await query('sum(pos_declines_total)'))[0]?.value[1]).toBe('1');
  }, 60_000);
});
