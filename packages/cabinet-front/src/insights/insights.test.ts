import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Database } from '@app/kernel';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pii } from '../crypto/pii.js';
import { SmtpNotifier } from '../notifications/notifier.js';
import type { CabinetFrontDb } from '../tables.js';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints } from '../uploads/uploads.fixture.js';
import { InsightAlerts } from './alerts.js';

type Session = Awaited<ReturnType<Front['register']>>;

/** Consumption insight and its e-mail alerts, delivered to a real SMTP server (smtp-server in its own process). */
describe('consumption insight and alerts', () => {
  let smtp: ChildProcess;
  let port = 0;
  const received: Array<{ to: string[]; raw: string }> = [];
  let front: Front;
  let a: Session;
  let b: Session;
  let notifier: SmtpNotifier;
  const today = '2026-03-21';
  const snapshotA = withIntervalPoints(sampleSnapshot('ia'), 1);
  const snapshotB = sampleSnapshot('ib');
  const contractA = snapshotA.contracts[0]!.id;

  beforeAll(async () => {
    const script = fileURLToPath(new URL('../notifications/testing/smtp-sink.ts', import.meta.url));
    smtp = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: smtp.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; to: string[]; raw: string };
      if (message.port) port = message.port;
      else received.push(message);
    });
    await waitFor(() => port > 0, { what: 'SMTP server listening', timeoutMs: 20_000 });
    notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'cabinet@supplier.test');
    front = await startFront({ today: () => today, insights: { notifier, schedule: false } });
    a = await front.register({ email: 'insight-a@insight.test' });
    b = await front.register({ email: 'insight-b@insight.test' });
    await front.link(a, a.userId, snapshotA);
    await front.link(b, b.userId, snapshotB);
    // A month of metered hours on A's interval point: 1 kWh an hour, and 5 an hour yesterday.
    const days = [];
    for (let t = Date.parse('2026-02-20T00:00:00Z'); t <= Date.parse('2026-03-20T00:00:00Z'); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      days.push({ date, hours: Array.from({ length: 24 }, () => (date === '2026-03-20' ? '5' : '1')) });
    }
    const id = randomUUID();
    await front.publish('cabinet.evt.profile.computed', { consumerRef: snapshotA.consumerRef, version: '300', meteringPointId: `${snapshotA.consumerRef}-ip1`, kind: 'metered', days }, id);
    await front.applied([id]);
  }, 120_000);
  afterAll(async () => {
    notifier?.close();
    await front?.close();
    smtp?.kill('SIGTERM');
  });

  it('compares a period with the previous one and the same dates last year', async () => {
    const res = await a.call('GET', `/api/contracts/${contractA}/insights/comparison?from=2026-03-01&to=2026-03-10`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      contractId: contractA,
      period: { from: '2026-03-01', to: '2026-03-10', kwh: '240', daysWithData: 10 },
      previous: { from: '2026-02-19', to: '2026-02-28', kwh: '216', daysWithData: 9, changeKwh: '24', changePercent: '11.1' },
      lastYear: { from: '2025-03-01', to: '2025-03-10', kwh: '0', daysWithData: 0 },
    });
    expect((await b.call('GET', `/api/contracts/${contractA}/insights/comparison?from=2026-03-01&to=2026-03-10`)).statusCode).toBe(404);
    expect((await a.call('GET', `/api/contracts/${contractA}/insights/comparison?from=2024-01-01&to=2026-03-10`)).json()).toMatchObject({ code: 'period_too_long', errors: [{ field: 'to' }] });
  });

  it('forecasts this month\'s kWh and bill from the profile so far, at the account card\'s price', async () => {
    const res = await a.call('GET', `/api/contracts/${contractA}/insights/forecast`);
    expect(res.statusCode, res.body).toBe(200);
    // 19 days × 24 + 120 = 576 kWh in 20 days → 28.8 a day × 31 days; price 125,000 kopecks ÷ 480 kWh.
    expect(res.json()).toEqual({ contractId: contractA, month: '2026-03', asOf: today, daysInMonth: 31, daysWithData: 20, kwhSoFar: '576', forecastKwh: '892.800', priceSource: 'account_card', pricePerKwh: '2.6042', priceMonths: ['2026-02'], forecastAmount: '232500' });
  });

  it('e-mails past-due debt, a missing reading before the 25th and unusual consumption once each, as each user\'s settings allow', async () => {
    // B switches the debt alert off; a setting of another consumer is not found.
    const off = await b.call('PUT', `/api/consumers/${snapshotB.consumerRef}/alert-settings`, { debt: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toEqual({ debt: false, missing_reading: true, unusual_consumption: true });
    expect((await a.call('GET', `/api/consumers/${snapshotB.consumerRef}/alert-settings`)).statusCode).toBe(404);
    expect((await a.call('GET', `/api/consumers/${snapshotA.consumerRef}/alert-settings`)).json()).toEqual({ debt: true, missing_reading: true, unusual_consumption: true });
    expect((await b.call('PUT', `/api/consumers/${snapshotB.consumerRef}/alert-settings`, { sms: true })).statusCode).toBe(400);

    const alerts = new InsightAlerts({ database: front.runtime.database as unknown as Database<CabinetFrontDb>, pii: new Pii(front.keys), notifier, today: () => today, logger: front.runtime.logger });
    const first = await alerts.run();
    expect(first).toMatchObject({ queued: 4, sent: 4, failed: 0 });
    await waitFor(() => received.length >= 4, { what: 'four e-mails' });
    const to = (address: string) => received.filter((m) => m.to.includes(address)).map((m) => subject(m.raw)).sort();
    expect(to('insight-a@insight.test')).toEqual(['Необычное потребление', 'Передайте показания за 2026-03', 'Просроченная задолженность'].sort());
    expect(to('insight-b@insight.test')).toEqual(['Передайте показания за 2026-03']);
    // The next run (a retaken or second instance's run, or tomorrow's with the same facts) sends nothing again.
    expect(await alerts.run()).toMatchObject({ queued: 0, sent: 0 });
    expect(received).toHaveLength(4);
  });
});

function subject(raw: string) {
  const line = /^Subject:\s*(.*(?:\r?\n[ \t].*)*)/im.exec(raw)?.[1] ?? '';
  return line
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) => (enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQ(text)))
    .trim();
}

function decodeQ(text: string) {
  return Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}
