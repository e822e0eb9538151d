import { reorderZip, waitFor } from '@app/kernel/testing';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints } from './uploads.fixture.js';

/**
 * A workbook's parts may come in any order in its zip (ExcelJS's own writer appends them as they are
 * ready), and the upload reads the zip as a stream: the result must not depend on that order. Before the
 * sheets were handed to the reader, worksheets ahead of xl/workbook.xml failed the job ("reading 'sheets'").
 */
const orders: Record<string, (names: string[]) => string[]> = {
  'worksheets first, xl/workbook.xml last': (n) => [...n.filter((x) => x.startsWith('xl/worksheets/')), ...n.filter((x) => !x.startsWith('xl/worksheets/') && x !== 'xl/workbook.xml'), 'xl/workbook.xml'],
  'shared strings and styles after the worksheets': (n) => [...n.filter((x) => !/sharedStrings|styles/.test(x)), ...n.filter((x) => /sharedStrings|styles/.test(x))],
  'every part reversed': (n) => [...n].reverse(),
  'directory parts first': (n) => [...n.filter((x) => /workbook\.xml|sharedStrings|styles|rels/.test(x)), ...n.filter((x) => !/workbook\.xml|sharedStrings|styles|rels/.test(x))],
};
// And a few shuffles, the same every run.
let seed = 20261202;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let i = 1; i <= 6; i++) orders[`shuffle ${i}`] = (n) => n.map((x) => [random(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);

describe('an Excel upload whatever the order of the parts in its zip', () => {
  let front: Front;
  let session: Awaited<ReturnType<Front['register']>>;
  const snapshot = withIntervalPoints(sampleSnapshot('zo'), 1);
  let filled: Buffer;

  beforeAll(async () => {
    front = await startFront();
    session = await front.register({ email: 'zip-order@upload.test' });
    await front.link(session, session.userId, snapshot);
    const res = await session.call('GET', `/api/consumers/${encodeURIComponent(snapshot.consumerRef)}/readings-template?from=2026-03-01&to=2026-03-02`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    workbook.getWorksheet('Показания T1')!.getCell('I2').value = 1100.5;
    workbook.getWorksheet('Показания T2')!.getCell('I2').value = 'двести';
    workbook.getWorksheet('Почасовые')!.getRow(2).values = ['consumer-zo-ip1', 'TU-H-1', '2026-03-01', ...Array.from({ length: 24 }, () => 2)];
    filled = Buffer.from(await workbook.xlsx.writeBuffer());
  });
  afterAll(() => front.close());

  it.each(Object.entries(orders))('reads it the same with %s', async (_, sort) => {
    const body = await reorderZip(filled, sort);
    const res = await front.app.inject({
      method: 'POST',
      url: `/api/readings/uploads?consumerRef=${encodeURIComponent(snapshot.consumerRef)}`,
      cookies: session.cookies,
      headers: { 'x-csrf-token': session.csrf, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    const view = await waitFor(async () => {
      const v = (await session.call('GET', `/api/readings/uploads/${res.json().id}`)).json();
      return (v.status === 'done' || v.status === 'failed') && v;
    }, { what: 'upload finished', timeoutMs: 60_000 });
    expect(view, JSON.stringify(view.failure)).toMatchObject({ status: 'done', readingsSent: 1, hourlyDaysSent: 1, errorCount: 1 });
    expect(view.errors).toMatchObject([{ sheet: 'Показания T2', cell: 'I2', code: 'reading_value_invalid' }]);
  });
});
