import { code15, dayPeriods, sample80020 } from '@app/metering-formats/testing';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { withIntervalPoints } from './uploads.fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;

/** A snapshot whose interval point carries a 15-digit 80020 code (as a real billing's would). */
function withCode(tag: string, code: string) {
  const snapshot = withIntervalPoints(sampleSnapshot(tag), 1);
  snapshot.contracts[0]!.objects[0]!.meteringPoints[1]!.code = code;
  return snapshot;
}

describe('hourly data uploaded as an 80020 file', () => {
  let front: Front;
  let a: Session;
  let b: Session;
  const snapshotA = withCode('ma', code15(111));
  const snapshotB = withCode('mb', code15(222));
  const innA = snapshotA.profile!.inn!;

  beforeAll(async () => {
    front = await startFront();
    a = await front.register({ email: 'x80020-a@upload.test' });
    b = await front.register({ email: 'x80020-b@upload.test' });
    await front.link(a, a.userId, snapshotA);
    await front.link(b, b.userId, snapshotB);
  });
  afterAll(() => front.close());

  const upload = (session: Session, body: Buffer, consumerRef = snapshotA.consumerRef) =>
    front.app.inject({
      method: 'POST',
      url: `/api/readings/uploads/80020?consumerRef=${encodeURIComponent(consumerRef)}&fileName=80020_7701234567_20260301_17.xml`,
      cookies: session.cookies,
      headers: { 'x-csrf-token': session.csrf, 'content-type': 'application/xml' },
      payload: body,
    });
  const finished = (session: Session, id: string) =>
    waitFor(async () => {
      const view = (await session.call('GET', `/api/readings/uploads/${id}`)).json();
      return (view.status === 'done' || view.status === 'failed') && view;
    }, { what: `upload ${id} finished`, timeoutMs: 60_000 });

  it('sends the own point\'s channel 01 (half-hours summed) through the hourly command; another consumer\'s point is a per-point error and is not sent', async () => {
    const file = sample80020({
      day: '2026-03-01',
      areaInn: innA,
      points: [
        { code: code15(111), channels: [{ code: '01', periods: dayPeriods(30, (i) => (i % 2 === 0 ? '1.25' : '0.5')) }, { code: '02', periods: dayPeriods() }] },
        { code: code15(222), channels: [{}] },
        { code: code15(333), channels: [{ periods: dayPeriods().filter((p) => p.start !== '0400') }] },
      ],
    });
    const res = await upload(a, file);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ format: '80020', status: expect.stringMatching(/queued|processing|done/) });
    const view = await finished(a, res.json().id);
    expect(view, JSON.stringify(view.failure)).toMatchObject({ status: 'done', progress: 100, format: '80020', hourlyDaysSent: 1, rowsRead: 3, fileName: '80020_7701234567_20260301_17.xml' });
    expect(view.errors.map((e: { sheet: string; code: string }) => `${e.sheet} ${e.code}`).sort()).toEqual([`${code15(222)} unknown_point`, `${code15(333)} missing_period`].sort());
    expect(view.errors[0].cell).toMatch(/^L\d+:C\d+$/);
    const command = await front.commandOf('cabinet.cmd.hourly.submit', (p: { uploadId: string }) => p.uploadId === view.id);
    expect(command.payload).toMatchObject({ consumerRef: snapshotA.consumerRef, meteringPointId: 'consumer-ma-ip1', days: [{ date: '2026-03-01', hours: Array.from({ length: 24 }, () => '1.75') }] });
    // Nothing of consumer B's point went anywhere.
    expect(front.commands.filter((c) => c.topic === 'cabinet.cmd.hourly.submit' && JSON.stringify(c.payload).includes('consumer-mb'))).toEqual([]);
  });

  it('fails the upload with the parser\'s code for a file in the wrong encoding or not well-formed, and sends nothing', async () => {
    const before = front.commands.length;
    const wrong = await finished(a, (await upload(a, sample80020({ declare: 'windows-1251', bytesAs: 'utf-8', points: [{ code: code15(111) }] }))).json().id);
    expect(wrong).toMatchObject({ status: 'failed', failure: { code: 'encoding_mismatch' } });
    const broken = await finished(a, (await upload(a, Buffer.from('<?xml version="1.0"?>\n<message class="80020" version="2"><datetime>'))).json().id);
    expect(broken).toMatchObject({ status: 'failed', failure: { code: 'malformed_xml' } });
    expect(broken.failure.message).toMatch(/line \d+, column \d+/);
    await new Promise((r) => setTimeout(r, 200));
    expect(front.commands.length).toBe(before);
  });

  it('is the consumer\'s own: another consumer gets 404, and the upload is not visible to them', async () => {
    const foreign = await upload(b, sample80020({ points: [{ code: code15(111) }] }));
    expect(foreign.statusCode).toBe(404);
    const own = await upload(a, sample80020({ day: '2026-03-02', areaInn: innA, points: [{ code: code15(111) }] }));
    expect((await b.call('GET', `/api/readings/uploads/${own.json().id}`)).statusCode).toBe(404);
    await finished(a, own.json().id);
  });

  it('takes an area only when it carries the consumer\'s INN: another area is refused once at its line, even with the consumer\'s own point code', async () => {
    const file = sample80020({
      day: '2026-03-03',
      areaInn: innA,
      points: [{ code: code15(111), channels: [{ periods: dayPeriods(60, () => '2') }] }],
      moreAreas: [{ inn: '7700000001', name: 'ООО «Чужое»', points: [{ code: code15(111), channels: [{ periods: dayPeriods(60, () => '9') }] }, { code: code15(444) }] }],
    });
    const view = await finished(a, (await upload(a, file)).json().id);
    expect(view).toMatchObject({ status: 'done', hourlyDaysSent: 1, rowsRead: 3 });
    expect(view.errors).toEqual([expect.objectContaining({ sheet: '80020', code: 'area_inn_mismatch', cell: expect.stringMatching(/^L\d+:C1$/) })]);
    expect(view.errors[0].message).toContain('7700000001');
    const command = await front.commandOf('cabinet.cmd.hourly.submit', (p: { uploadId: string }) => p.uploadId === view.id);
    expect(command.payload).toMatchObject({ days: [{ date: '2026-03-03', hours: Array.from({ length: 24 }, () => '2') }] });

    // A file whose only area is someone else's: nothing is sent at all.
    const before = front.commands.filter((c) => c.topic === 'cabinet.cmd.hourly.submit').length;
    const foreign = await finished(a, (await upload(a, sample80020({ day: '2026-03-04', areaInn: '7700000001', points: [{ code: code15(111) }] }))).json().id);
    expect(foreign).toMatchObject({ status: 'done', hourlyDaysSent: 0, errors: [expect.objectContaining({ code: 'area_inn_mismatch' })] });
    await new Promise((r) => setTimeout(r, 200));
    expect(front.commands.filter((c) => c.topic === 'cabinet.cmd.hourly.submit').length).toBe(before);
  });
});
