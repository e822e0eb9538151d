import { randomUUID } from 'node:crypto';
import { waitFor } from '@app/kernel/testing';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints } from './uploads.fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;

describe('readings by Excel template', () => {
  let front: Front;
  let a: Session;
  let b: Session;
  const snapshotA = withIntervalPoints(sampleSnapshot('xa'), 1);
  const snapshotB = withIntervalPoints(sampleSnapshot('xb'), 1);

  beforeAll(async () => {
    front = await startFront();
    a = await front.register({ email: 'excel-a@upload.test' });
    b = await front.register({ email: 'excel-b@upload.test' });
    await front.link(a, a.userId, snapshotA);
    await front.link(b, b.userId, snapshotB);
  });
  afterAll(() => front.close());

  const upload = (session: Session, body: Buffer, query = '', consumerRef = snapshotA.consumerRef) =>
    front.app.inject({
      method: 'POST',
      url: `/api/readings/uploads?consumerRef=${encodeURIComponent(consumerRef)}${query}`,
      cookies: session.cookies,
      headers: { 'x-csrf-token': session.csrf, 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: body,
    });
  const finished = (session: Session, id: string) =>
    waitFor(async () => {
      const view = (await session.call('GET', `/api/readings/uploads/${id}`)).json();
      return (view.status === 'done' || view.status === 'failed') && view;
    }, { what: `upload ${id} finished`, timeoutMs: 60_000 });
  const template = async (session: Session, consumerRef: string, query = '') => {
    const res = await session.call('GET', `/api/consumers/${encodeURIComponent(consumerRef)}/readings-template${query.replace(/^&/, '?')}`);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    return workbook;
  };
  const bytesOf = async (workbook: ExcelJS.Workbook) => Buffer.from(await workbook.xlsx.writeBuffer());

  it('generates a template of the consumer\'s own meters: a sheet per tariff zone and an hourly sheet with 24 columns per day', async () => {
    const workbook = await template(a, snapshotA.consumerRef, '&from=2026-03-01&to=2026-03-10');
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Показания T1', 'Показания T2', 'Почасовые']);
    const t1 = workbook.getWorksheet('Показания T1')!;
    expect(t1.getRow(2).values).toEqual([undefined, 'TU-xa-1', 'Ввод 1', 'xa-m1', 'T1', 'SN-xa-1', '1000', '2026-02-20', '2026-03-20']);
    const hourly = workbook.getWorksheet('Почасовые')!;
    expect(hourly.getRow(1).cellCount).toBe(27);
    expect(hourly.rowCount).toBe(11);
    expect(hourly.getRow(2).values).toEqual([undefined, 'consumer-xa-ip1', 'TU-H-1', '2026-03-01']);
    const all = JSON.stringify(workbook.worksheets.map((w) => w.getSheetValues()));
    expect(all).not.toContain('xb-');
    // Another consumer's template is not found; a bad period is refused with its field.
    expect((await b.call('GET', `/api/consumers/${snapshotA.consumerRef}/readings-template`)).statusCode).toBe(404);
    const long = await a.call('GET', `/api/consumers/${snapshotA.consumerRef}/readings-template?from=2024-01-01&to=2026-01-01`);
    expect(long.json()).toMatchObject({ code: 'period_too_long', errors: [{ field: 'to' }] });
  });

  it('round trip: good rows are sent like typed readings, bad values and wrong metering points are reported per cell', async () => {
    const workbook = await template(a, snapshotA.consumerRef, '&from=2026-03-01&to=2026-03-04');
    const t1 = workbook.getWorksheet('Показания T1')!;
    t1.getCell('I2').value = 1100.5;
    const t2 = workbook.getWorksheet('Показания T2')!;
    t2.getCell('I2').value = 'двести';
    // Rows someone added: another consumer's meter and a meter nobody has.
    t1.addRow(['TU-xb-1', 'чужой', 'xb-m1', 'T1', 'SN', '', '', '2026-03-20', 1200]);
    t1.addRow(['?', '?', 'no-such-meter', 'T1', '', '', '', '20.03.2026', 5]);
    const hourly = workbook.getWorksheet('Почасовые')!;
    const hours = (f: (h: number) => ExcelJS.CellValue) => Array.from({ length: 24 }, (_, h) => f(h));
    hourly.getRow(2).values = ['consumer-xa-ip1', 'TU-H-1', '2026-03-01', ...hours((h) => 1.25 + h)];
    hourly.getRow(3).values = ['consumer-xa-ip1', 'TU-H-1', '2026-03-02', ...hours((h) => (h === 5 ? -3 : 2))];
    hourly.getRow(4).values = ['consumer-xa-ip1', 'TU-H-1', '2026-03-03', ...hours((h) => (h === 23 ? null : '1,5'))];
    hourly.addRow(['consumer-xb-ip1', 'TU-H-1', '2026-03-01', ...hours(() => 1)]);
    hourly.addRow(['consumer-xa-ip1', 'TU-H-1', '2026-04-01', ...hours(() => 1)]);

    const res = await upload(a, await bytesOf(workbook), '&fileName=показания%20Иванов.xlsx');
    expect(res.statusCode, res.body).toBe(202);
    const view = await finished(a, res.json().id);
    expect(view).toMatchObject({ status: 'done', progress: 100, readingsSent: 1, hourlyDaysSent: 1, fileName: 'показания Иванов.xlsx' });
    const errors = (view.errors as Array<{ sheet: string; cell: string; code: string }>).map((e) => `${e.sheet}!${e.cell} ${e.code}`);
    expect(errors.sort()).toEqual(
      [
        'Показания T2!I2 reading_value_invalid',
        'Показания T1!C3 meter_not_found',
        'Показания T1!C4 meter_not_found',
        'Почасовые!I3 hourly_value_invalid',
        'Почасовые!AA4 hourly_value_missing',
        'Почасовые!A6 point_not_found',
        'Почасовые!C7 date_in_future',
      ].sort(),
    );
    expect(view.errorCount).toBe(7);
    // The file name is personal data: encrypted in its row, shown decrypted above.
    const raw = await front.db.selectFrom('reading_uploads').select('file_name_enc').where('id', '=', view.id).executeTakeFirstOrThrow();
    expect(raw.file_name_enc).toMatch(/^v1\./);
    expect(raw.file_name_enc).not.toContain('Иванов');

    const readings = await front.commandOf('cabinet.cmd.readings.submit', (p: { submissionId: string }) => p.submissionId === view.submissionId);
    expect(readings.payload).toMatchObject({ consumerRef: snapshotA.consumerRef, readings: [{ meterId: 'xa-m1', zone: 'T1', date: '2026-03-20', value: '1100.5' }] });
    const hourlyCommand = await front.commandOf('cabinet.cmd.hourly.submit', (p: { uploadId: string }) => p.uploadId === view.id);
    expect(hourlyCommand.payload).toMatchObject({ meteringPointId: 'consumer-xa-ip1', days: [{ date: '2026-03-01', hours: hours((h) => String(1.25 + h)) }] });
    // The reading shows in the history like a typed one.
    const history = (await a.call('GET', '/api/readings?meterId=xa-m1&status=sent')).json();
    expect(history.items).toMatchObject([{ value: '1100.5', submissionId: view.submissionId }]);

    // The back answers: billing stored the day.
    const id = randomUUID();
    const p = hourlyCommand.payload as { submissionId: string };
    await front.publish('cabinet.evt.hourly.processed', { submissionId: p.submissionId, uploadId: view.id, consumerRef: snapshotA.consumerRef, meteringPointId: 'consumer-xa-ip1', version: '500', accepted: 1, rejected: [] }, id);
    await front.applied([id]);
    expect((await a.call('GET', `/api/readings/uploads/${view.id}`)).json().hourly).toEqual({ points: 1, processed: 1, daysAccepted: 1, rejected: [] });
    // Another consumer does not see the upload.
    expect((await b.call('GET', `/api/readings/uploads/${view.id}`)).statusCode).toBe(404);
  });

  it('holds back an unusual jump unless confirmed, and refuses the upload for another consumer', async () => {
    const workbook = await template(a, snapshotA.consumerRef);
    workbook.getWorksheet('Показания T2')!.getCell('I2').value = 9000;
    const bytes = await bytesOf(workbook);
    const held = await finished(a, (await upload(a, bytes)).json().id);
    expect(held, JSON.stringify(held.failure)).toMatchObject({ status: 'done', readingsSent: 0, errors: [{ sheet: 'Показания T2', cell: 'I2', code: 'confirmation_required' }] });
    const confirmed = await finished(a, (await upload(a, bytes, '&confirmJump=true')).json().id);
    expect(confirmed).toMatchObject({ status: 'done', readingsSent: 1, errorCount: 0 });
    const foreign = await upload(b, bytes);
    expect(foreign.statusCode).toBe(404);
  });

  it('refuses a file that is not Excel, a cut-off workbook, an empty file and a workbook without template sheets, and sends nothing', async () => {
    // Counted in the outbox, where a command is written with its job's rows: a command of an earlier test
    // may still be on its way to the watcher, but nothing these uploads do can add a row.
    const enqueued = async () => Number((await front.db.selectFrom('outbox').select((e) => e.fn.countAll().as('n')).where('topic', 'like', 'cabinet.cmd.%').executeTakeFirstOrThrow()).n);
    const before = await enqueued();
    const pdf = await finished(a, (await upload(a, Buffer.from('%PDF-1.4 not a workbook'))).json().id);
    expect(pdf).toMatchObject({ status: 'failed', failure: { code: 'not_excel' } });
    const workbook = await template(a, snapshotA.consumerRef);
    const bytes = await bytesOf(workbook);
    const cut = await finished(a, (await upload(a, bytes.subarray(0, Math.floor(bytes.length / 2)))).json().id);
    expect(cut).toMatchObject({ status: 'failed', failure: { code: 'truncated_file' } });
    const empty = await upload(a, Buffer.alloc(0));
    expect([400, 422]).toContain(empty.statusCode);
    const other = new ExcelJS.Workbook();
    other.addWorksheet('Лист1').addRow(['что-то', 1]);
    const foreign = await finished(a, (await upload(a, await bytesOf(other))).json().id);
    expect(foreign).toMatchObject({ status: 'failed', failure: { code: 'not_a_template' } });
    const text = await front.app.inject({ method: 'POST', url: `/api/readings/uploads?consumerRef=${snapshotA.consumerRef}`, cookies: a.cookies, headers: { 'x-csrf-token': a.csrf, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(await enqueued()).toBe(before);
  });
});
