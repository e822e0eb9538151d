import { randomUUID } from 'node:crypto';
import { parse80020, type ChannelDay } from '@app/metering-formats';
import { code15 } from '@app/metering-formats/testing';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints } from '../uploads/uploads.fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;

describe('hourly data export (CSV, Excel, 80020)', () => {
  let front: Front;
  let a: Session;
  let b: Session;
  const snapshotA = withIntervalPoints(sampleSnapshot('ea'), 1);
  const point = snapshotA.contracts[0]!.objects[0]!.meteringPoints[1]!;
  point.code = code15(4242);
  point.name = '=HYPERLINK("http://evil.test")';
  const snapshotB = sampleSnapshot('eb');
  const hours = (day: number) => Array.from({ length: 24 }, (_, h) => (h === 0 ? '0.5' : `${day}.25`));

  beforeAll(async () => {
    front = await startFront();
    a = await front.register({ email: 'export-a@export.test' });
    b = await front.register({ email: 'export-b@export.test' });
    await front.link(a, a.userId, snapshotA);
    await front.link(b, b.userId, snapshotB);
    const id = randomUUID();
    await front.publish('cabinet.evt.profile.computed', { consumerRef: snapshotA.consumerRef, version: '200', meteringPointId: point.id, kind: 'metered', days: [1, 2, 3].map((d) => ({ date: `2026-03-0${d}`, hours: hours(d) })) }, id);
    await front.applied([id]);
  });
  afterAll(() => front.close());

  const url = (query: string, pointId = point.id) => `/api/metering-points/${encodeURIComponent(pointId)}/hourly/export?${query}`;

  it('exports a point\'s days as CSV: BOM, header, a row per day with 24 hours and the exact total; text from outside cannot run as a formula', async () => {
    const res = await a.call('GET', url('from=2026-03-01&to=2026-03-02&format=csv'));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain('.csv');
    const text = res.body;
    expect(text.startsWith('\ufeffКод точки;Точка учёта;Дата;00–01')).toBe(true);
    const rows = text.trim().split('\r\n');
    expect(rows).toHaveLength(3);
    const cells = rows[1]!.split(';');
    expect(cells[0]).toBe(code15(4242));
    // The name begins with "=": an apostrophe first, and quoted because it holds quotes.
    expect(rows[1]).toContain(`"'=HYPERLINK(""http://evil.test"")"`);
    expect(rows[1]).toContain('2026-03-01');
    // 0.5 + 23 × 1.25, exactly.
    expect(rows[1]!.split(';').at(-1)).toBe('29.25');
  });

  it('exports the same as Excel (streamed), numbers as numbers', async () => {
    const res = await a.call('GET', url('from=2026-03-01&to=2026-03-03&format=xlsx'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Почасовые')!;
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(2).getCell(1).value).toBe(code15(4242));
    expect(sheet.getRow(2).getCell(2).value).toBe(`'=HYPERLINK("http://evil.test")`);
    expect(sheet.getRow(3).getCell(4).value).toBe(0.5);
    expect(sheet.getRow(3).getCell(5).value).toBe(2.25);
    expect(sheet.getRow(4).getCell(28).value).toBe(75.25);
  });

  it('exports 80020 in windows-1251: one day as the XML file the parser reads back, a range as a ZIP of daily files', async () => {
    const day = await a.call('GET', url('from=2026-03-02&to=2026-03-02&format=80020'));
    expect(day.statusCode, day.body.slice(0, 300)).toBe(200);
    expect(day.headers['content-type']).toContain('windows-1251');
    expect(day.headers['content-disposition']).toMatch(/80020_\d+_20260302_1\.xml/);
    const channels: ChannelDay[] = [];
    for await (const e of parse80020([day.rawPayload])) if (e.type === 'channel') channels.push(e.channel);
    expect(channels).toMatchObject([{ day: '2026-03-02', point: { code: code15(4242) }, channel: { code: '01' }, values: hours(2) }]);
    const range = await a.call('GET', url('from=2026-03-01&to=2026-03-03&format=80020&encoding=utf-8'));
    expect(range.statusCode).toBe(200);
    expect(range.headers['content-type']).toBe('application/zip');
    expect(range.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('exports a whole contract; only the consumer\'s own points (another consumer: 404), and limits the range with problem+json', async () => {
    const contract = await a.call('GET', `/api/contracts/${snapshotA.contracts[0]!.id}/hourly/export?from=2026-03-01&to=2026-03-31&format=csv`);
    expect(contract.statusCode).toBe(200);
    expect(contract.body).toContain(code15(4242));
    expect((await b.call('GET', url('from=2026-03-01&to=2026-03-02&format=csv'))).statusCode).toBe(404);
    expect((await b.call('GET', `/api/contracts/${snapshotA.contracts[0]!.id}/hourly/export?from=2026-03-01&to=2026-03-02`)).statusCode).toBe(404);
    const long = await a.call('GET', url('from=2026-01-01&to=2026-03-01&format=80020'));
    expect(long.statusCode).toBe(400);
    expect(long.headers['content-type']).toContain('application/problem+json');
    expect(long.json()).toMatchObject({ code: 'period_too_long', errors: [{ field: 'to' }] });
    expect((await a.call('GET', url('from=2020-01-01&to=2026-03-01&format=csv'))).json()).toMatchObject({ code: 'period_too_long' });
    expect((await a.call('GET', url('from=2026-03-02&to=2026-03-01'))).json()).toMatchObject({ code: 'period_reversed' });
    expect((await a.call('GET', url('from=2026-03-01&to=2026-03-02&format=pdf'))).statusCode).toBe(400);
  });
});
