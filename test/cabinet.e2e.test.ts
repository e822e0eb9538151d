import { randomBytes } from 'node:crypto';
import { BillingRef, billingRefMigrations, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { BillingRefAdapter, cabinetBackMigrations, demoBillingContracts, startCabinetBackWorkers } from '@app/cabinet-back';
import { cabinetFrontMigrations, createCabinetFrontApp, MemoryOtpSender, resolveKeyRing } from '@app/cabinet-front';
import { createBus, createCache, createLogger, fastHashingForTests, startOutboxRelay, type Bus, type BusTables, type Database, type HttpApp, type ServiceRuntime } from '@app/kernel';
import { createTestDatabase, startTcpProxy, testConfig, waitFor, type TcpProxy, type TestDatabase } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The cabinet as it runs: cabinet-front (its own database), cabinet-back (its own database) and the
 * reference billing (a third one), talking only over the bus — RabbitMQ when AMQP_URL is set, each side on
 * its own connection as two processes would be; the in-process bus otherwise. A consumer registers, links
 * a contract, submits readings; billing accepts one and rejects another with a reason; the front shows
 * both. Then the back is stopped — and, on RabbitMQ, the front's broker connection is cut — while readings
 * are submitted; when they return every reading is in billing exactly once.
 */
const amqpUrl = process.env.AMQP_URL;
const logger = createLogger({ service: 'cabinet-e2e', level: 'silent' });
const today = new Date().toISOString().slice(0, 10);

interface Side {
  runtime: ServiceRuntime;
  stop: () => Promise<void>;
}

let frontDb: TestDatabase;
let backDb: TestDatabase;
let billingDb: TestDatabase<BillingRefDb>;
let proxy: TcpProxy | undefined;
let front: Side;
let back: Side;
let backWorkers: (() => Promise<void>) | undefined;
let app: HttpApp;
let adapter: BillingRefAdapter;
const buses: Bus[] = [];
const otp = new MemoryOtpSender();

function sideRuntime(service: string, database: Database, bus: Bus): Side {
  const cache = createCache({ url: process.env.REDIS_URL, prefix: `test-${randomBytes(4).toString('hex')}:` });
  const runtime: ServiceRuntime = { service, logger, database, bus, cache };
  const relay = startOutboxRelay(runtime);
  return { runtime: { ...runtime, nudge: () => relay.nudge() } as ServiceRuntime, stop: async () => { await relay.stop(); await cache.close(); } };
}
const nudgeOf = (side: Side) => (side.runtime as ServiceRuntime & { nudge: () => void }).nudge;

const startBack = async () => {
  backWorkers = await startCabinetBackWorkers(back.runtime, adapter, { nudge: nudgeOf(back), syncIntervalMs: 500, commands: { backoffMs: () => 200 } });
};
const stopBack = async () => {
  await backWorkers?.();
  backWorkers = undefined;
};

beforeAll(async () => {
  [frontDb, backDb, billingDb] = await Promise.all([
    createTestDatabase({ migrations: cabinetFrontMigrations }),
    createTestDatabase({ migrations: cabinetBackMigrations }),
    createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations }),
  ]);
  await seedBillingDemo(billingDb, { consumers: 12, today });
  adapter = new BillingRefAdapter(new BillingRef(billingDb));

  const prefix = `test-${randomBytes(4).toString('hex')}`;
  let frontBus: Bus;
  let backBus: Bus;
  if (amqpUrl) {
    // The front reaches the broker through a proxy the test can cut; the back connects directly.
    const target = new URL(amqpUrl);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) });
    frontBus = createBus({ url: proxy.url(amqpUrl), logger, service: 'cabinet-front', prefix });
    backBus = createBus({ url: amqpUrl, logger, service: 'cabinet-back', prefix });
    buses.push(frontBus, backBus);
  } else {
    frontBus = backBus = createBus({ logger, service: 'all-in-one' });
    buses.push(frontBus);
  }
  await waitFor(() => buses.every((b) => b.isConnected()), { what: 'buses connected' });
  front = sideRuntime('cabinet-front', frontDb, frontBus);
  back = sideRuntime('cabinet-back', backDb, backBus);
  app = await createCabinetFrontApp(front.runtime, testConfig, { hashing: fastHashingForTests, otpSender: otp, keys: resolveKeyRing({ NODE_ENV: 'test' }), nudge: nudgeOf(front) });
  await app.ready();
  await startBack();
}, 120_000);

afterAll(async () => {
  await stopBack();
  await app?.close();
  await front?.stop();
  await back?.stop();
  await Promise.all(buses.map((b) => b.close()));
  await proxy?.close();
  await Promise.all([frontDb?.close(), backDb?.close(), billingDb?.close()]);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field, as a client would
type Call = (method: 'GET' | 'POST', url: string, payload?: unknown) => Promise<{ statusCode: number; json: () => any; body: string }>;
let consumer: Call;
/** The meter the acceptance test used: its copy in the front may lag behind what it accepted. */
let usedMeterId: string | undefined;

async function registerAndLogin(email: string, password: string): Promise<Call> {
  const start = await app.inject({ method: 'POST', url: '/auth/register', payload: { email }, remoteAddress: '10.9.0.1' });
  expect(start.statusCode).toBe(202);
  const code = otp.lastCodeFor(email);
  expect(code).toMatch(/^\d{6}$/);
  const confirm = await app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code, password } });
  expect(confirm.statusCode).toBe(201);
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: email.toUpperCase(), password }, remoteAddress: '10.9.0.2' });
  expect(login.statusCode).toBe(200);
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const csrf = login.json().csrfToken as string;
  return (method, url, payload) => app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

/** An integral meter of the linked contract with at least two zones, and its last accepted readings. */
async function twoZoneMeter() {
  const meters = (await consumer('GET', '/api/meters?limit=200')).json().items as Array<{ id: string; kind: string; digits: number; fractionDigits: number; transformationRatio: string; zones: string[]; lastReadings: Array<{ zone: string; value: string }>; averageMonthlyKwh?: string }>;
  const meter = meters.find((m) => m.kind === 'integral' && m.zones.length >= 2 && m.lastReadings.length === m.zones.length);
  expect(meter, 'the demo contract has a multi-zone integral meter').toBeDefined();
  return meter!;
}

const billingReadings = (ids: string[]) =>
  billingDb.db.selectFrom('readings').select(['cabinet_reading_id', 'status']).where('cabinet_reading_id', 'in', ids).execute();

describe('cabinet end to end: front ⇄ bus ⇄ back ⇄ billing', () => {
  it('registers a consumer, links a contract by its invoice secret and shows billing data', async () => {
    consumer = await registerAndLogin(`e2e-${randomBytes(3).toString('hex')}@consumer.test`, 'E2e-Strong-Pass-2026');
    const wrong = await consumer('POST', '/api/links/by-secret', { contractNumber: demoBillingContracts.organisation.number, secret: 'NOT-THE-SECRET' });
    expect(wrong.statusCode).toBe(202);
    const link = await consumer('POST', '/api/links/by-secret', { contractNumber: demoBillingContracts.organisation.number, secret: demoBillingContracts.organisation.secret });
    expect(link.statusCode).toBe(202);

    const decided = async (id: string) => waitFor(async () => {
      const view = (await consumer('GET', `/api/links/${id}`)).json();
      return view.status !== 'pending' && view;
    }, { what: `link ${id} decided`, timeoutMs: 30_000 });
    expect(await decided(wrong.json().id)).toMatchObject({ status: 'rejected', rejection: { code: 'secret_mismatch' } });
    expect(await decided(link.json().id)).toMatchObject({ status: 'accepted' });

    const contracts = await waitFor(async () => {
      const list = (await consumer('GET', '/api/contracts')).json();
      return list.items.length > 0 && list;
    }, { what: 'contract in the front', timeoutMs: 30_000 });
    expect(contracts.items.map((c: { number: string }) => c.number)).toEqual([demoBillingContracts.organisation.number]);
    const invoices = (await consumer('GET', '/api/invoices')).json();
    expect(invoices.total).toBeGreaterThan(0);
    const pdf = await consumer('GET', `/api/invoices/${invoices.items[0].id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.body.slice(0, 5)).toBe('%PDF-');
  });

  it('sends two readings: billing accepts one, rejects the other with its reason, and the front shows both', async () => {
    const meter = await twoZoneMeter();
    usedMeterId = meter.id;
    const [first, second] = meter.zones;
    const last = (zone: string) => Number(meter.lastReadings.find((r) => r.zone === zone)!.value);
    // A normal month on the first zone; on the second a jump far beyond the meter's average (billing
    // rejects above ten times it; the front only warns, so the consumer confirms it).
    const average = Number(meter.averageMonthlyKwh ?? '1000');
    const jump = Math.ceil((average * 40) / Number(meter.transformationRatio));
    const capacity = 10 ** meter.digits;
    expect(last(second!) + jump, 'the jump fits on the dial').toBeLessThan(capacity);
    const readings = [
      { meterId: meter.id, zone: first, date: today, value: (last(first!) + 1).toFixed(meter.fractionDigits) },
      { meterId: meter.id, zone: second, date: today, value: (last(second!) + jump).toFixed(meter.fractionDigits) },
    ];
    const unconfirmed = await consumer('POST', '/api/readings', { readings });
    expect(unconfirmed.statusCode).toBe(422);
    expect(unconfirmed.json().code).toBe('confirmation_required');
    const sent = await consumer('POST', '/api/readings', { readings, confirmJump: true });
    expect(sent.statusCode).toBe(202);

    const history = await waitFor(async () => {
      const items = (await consumer('GET', `/api/readings?meterId=${meter.id}&from=${today}&to=${today}`)).json().items as Array<{ zone: string; status: string; reasonCode?: string; reasonText?: string }>;
      return items.length === 2 && items.every((r) => r.status !== 'sent') && items;
    }, { what: 'both readings processed by billing', timeoutMs: 30_000 });
    const byZone = Object.fromEntries(history.map((r) => [r.zone, r]));
    expect(byZone[first!]).toMatchObject({ status: 'accepted' });
    expect(byZone[second!]).toMatchObject({ status: 'rejected', reasonCode: 'abnormal_consumption' });
    expect(byZone[second!]!.reasonText).toBeTruthy();
    // Billing holds them as the front says.
    const ids = (sent.json().readings as Array<{ id: string }>).map((r) => r.id);
    expect((await billingReadings(ids)).map((r) => r.status).sort()).toEqual(['accepted', 'rejected']);
  });

  it('keeps accepting readings while the back is stopped and the broker is away; each reaches billing exactly once', async () => {
    const meters = (await consumer('GET', '/api/meters?limit=200')).json().items as Array<{ id: string; kind: string; fractionDigits: number; zones: string[]; lastReadings: Array<{ zone: string; value: string; date: string }> }>;
    const targets = meters.filter((m) => m.id !== usedMeterId && m.kind === 'integral' && m.lastReadings.length > 0 && m.lastReadings.every((r) => r.date < today));
    expect(targets.length).toBeGreaterThan(0);
    const submit = async (step: number) => {
      const readings = targets.map((m) => ({
        meterId: m.id,
        zone: m.lastReadings[0]!.zone,
        date: today,
        value: (Number(m.lastReadings[0]!.value) + step).toFixed(m.fractionDigits),
      }));
      const res = await consumer('POST', '/api/readings', { readings, confirmJump: true });
      expect(res.statusCode, res.body).toBe(202);
      return (res.json().readings as Array<{ id: string }>).map((r) => r.id);
    };

    // The back is down: the commands wait in the queue (or in the outbox) while the front answers.
    await stopBack();
    const ids = await submit(0.5);
    expect((await consumer('GET', '/api/contracts')).statusCode).toBe(200);
    if (proxy) {
      // The broker is away from the front as well: the relay cannot publish; the front still takes readings.
      proxy.cut();
      await new Promise((r) => setTimeout(r, 300));
      expect((await consumer('GET', '/api/summary')).statusCode).toBe(200);
      // A later reading of the same zones is refused by the front only against accepted readings, so send to
      // other meters' zones: a second zone where there is one.
      const more = targets.filter((m) => m.zones.length > 1).map((m) => ({ meterId: m.id, zone: m.zones.find((z) => z !== m.lastReadings[0]!.zone)!, date: today, value: (Number(m.lastReadings.find((r) => r.zone !== m.lastReadings[0]!.zone)?.value ?? '0') + 0.25).toFixed(m.fractionDigits) })).filter((r) => r.zone);
      if (more.length) {
        const res = await consumer('POST', '/api/readings', { readings: more, confirmJump: true });
        expect(res.statusCode, res.body).toBe(202);
        ids.push(...(res.json().readings as Array<{ id: string }>).map((r) => r.id));
      }
      const pending = await (frontDb as unknown as TestDatabase<BusTables>).db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute();
      expect(pending.length).toBeGreaterThan(0);
      proxy.restore();
    }
    expect(await billingReadings(ids)).toEqual([]);

    await startBack();
    await waitFor(async () => (await billingReadings(ids)).length === ids.length, { what: 'every reading in billing', timeoutMs: 60_000 });
    // Once each, and the front shows billing's verdict on every one.
    const rows = await billingReadings(ids);
    expect(new Set(rows.map((r) => r.cabinet_reading_id)).size).toBe(ids.length);
    const counted = await billingDb.db.selectFrom('readings').select(({ fn }) => fn.countAll<number>().as('n')).where('cabinet_reading_id', 'in', ids).executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(ids.length);
    await waitFor(async () => {
      const views = await Promise.all(ids.map(async (id) => (await consumer('GET', `/api/readings/${id}`)).json()));
      return views.every((v: { status: string }) => v.status === 'accepted' || v.status === 'rejected');
    }, { what: 'front shows every verdict', timeoutMs: 30_000 });
  });
});
