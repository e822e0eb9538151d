import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { chunksOf, code15, dayPeriods, hhmm, large80020, sample80020, sample80020Text, type SampleOptions } from '../testing/index.js';
import { hourlyValues, pointCode80020 } from './hourly.js';
import { Format80020Error, type ChannelDay, type Event80020, type Problem80020 } from './model.js';
import { parse80020 } from './parse.js';
import { write80020 } from './write.js';

async function read(bytes: Buffer, chunk = 7) {
  const events: Event80020[] = [];
  for await (const e of parse80020(chunksOf(bytes, chunk))) events.push(e);
  return {
    header: events.find((e) => e.type === 'header')?.header,
    channels: events.filter((e): e is { type: 'channel'; channel: ChannelDay } => e.type === 'channel').map((e) => e.channel),
    problems: events.filter((e): e is { type: 'problem'; problem: Problem80020 } => e.type === 'problem').map((e) => e.problem),
  };
}

async function refusal(bytes: Buffer): Promise<Format80020Error> {
  try {
    await read(bytes);
  } catch (error) {
    if (error instanceof Format80020Error) return error;
    throw error;
  }
  throw new Error('the file was not refused');
}

const one = (periods = dayPeriods(), extra: Partial<SampleOptions> = {}) => sample80020({ points: [{ code: code15(1), channels: [{ periods }] }], ...extra });

describe('80020 parser', () => {
  it('reads a valid hourly day in windows-1251, fed 7 bytes at a time: header, Cyrillic names, 24 values in order', async () => {
    const { header, channels, problems } = await read(sample80020({ points: [{ code: code15(42), name: 'Ввод №1 «Цех»', channels: [{ periods: dayPeriods(60, (i) => (i === 3 ? '0,75' : `${i}.125`)) }] }] }));
    expect(problems).toEqual([]);
    expect(header).toMatchObject({ version: '2', number: '17', day: '2026-03-01', dst: 0, sender: { inn: '7701234567', name: 'ООО «Энергоучёт»' }, encoding: 'windows-1251' });
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({ area: { inn: '7707654321', name: 'ООО «Потребитель»', line: 5 }, point: { code: code15(42), name: 'Ввод №1 «Цех»' }, channel: { code: '01', desc: 'Активная энергия, приём' }, day: '2026-03-01', intervalMinutes: 60 });
    expect(channels[0]!.values[0]).toBe('0.125');
    expect(channels[0]!.values[3]).toBe('0.75');
    expect(channels[0]!.statuses.every((s) => s === '0')).toBe(true);
  });

  it('tells each channel its area: the INN the area carries and the line the area starts on (two areas)', async () => {
    const file = sample80020({ areaInn: '7707654321', points: [{ code: code15(1) }], moreAreas: [{ inn: '500100732259', name: 'ИП Другой', points: [{ code: code15(2) }] }] });
    const { channels, problems } = await read(file);
    expect(problems).toEqual([]);
    const lines = sample80020Text({ areaInn: '7707654321', points: [{ code: code15(1) }], moreAreas: [{ inn: '500100732259', points: [{ code: code15(2) }] }] }).split('\n');
    const secondArea = lines.findIndex((l, i) => i > 4 && l.trimStart().startsWith('<area>')) + 1;
    expect(channels.map((c) => [c.point.code, c.area.inn, c.area.line])).toEqual([
      [code15(1), '7707654321', 5],
      [code15(2), '500100732259', secondArea],
    ]);
    expect(secondArea).toBeGreaterThan(30);
  });
  it('reads a half-hourly day (48 periods, any order) and sums the halves exactly into 24 hours', async () => {
    const periods = dayPeriods(30, (i) => (i % 2 === 0 ? '0.1' : '0.2')).reverse();
    const { channels, problems } = await read(one(periods), 64);
    expect(problems).toEqual([]);
    expect(channels[0]!.intervalMinutes).toBe(30);
    expect(hourlyValues(channels[0]!)).toEqual(Array.from({ length: 24 }, () => '0.3'));
  });

  it('reads UTF-8 when the declaration says so, and no declaration as UTF-8', async () => {
    expect((await read(one(dayPeriods(), { declare: 'utf-8' }))).channels[0]!.point.name).toBe('Ввод 1');
    expect((await read(one(dayPeriods(), { declare: null }))).header!.encoding).toBe('utf-8');
  });

  it('takes a whole day flagged as summer time (daylightsavingtime 1, summer="1") as written; refuses a clock-change day (23 or 25 hours, or flag 2)', async () => {
    const summer = dayPeriods().map((p) => ({ ...p, summer: '1' }));
    const flagged = await read(one(summer, { dst: '1' }));
    expect(flagged.problems).toEqual([]);
    expect(flagged.header!.dst).toBe(1);
    expect(flagged.channels[0]!.values).toHaveLength(24);

    // The autumn change as an 80020 file writes it: 25 hours, 02:00–03:00 twice (summer then winter).
    const autumn = [...dayPeriods().slice(0, 3).map((p) => ({ ...p, summer: '1' })), { start: '0200', end: '0300', value: '1', summer: '0' }, ...dayPeriods().slice(3).map((p) => ({ ...p, summer: '0' }))];
    const change = await read(one(autumn, { dst: '2' }));
    expect(change.channels).toEqual([]);
    expect(change.problems).toMatchObject([{ code: 'dst_transition', element: 'measuringchannel', pointCode: code15(1) }]);
    // The same 25 periods under a header that does not say so: still a clock change inside the day.
    expect((await read(one(autumn, { dst: '1' }))).problems).toMatchObject([{ code: 'dst_transition' }]);
    // Spring: 23 hours (02:00–03:00 missing) in a summer-flagged day: a missing period, with the hint.
    const spring = (await read(one(dayPeriods().filter((p) => p.start !== '0200'), { dst: '1' }))).problems;
    expect(spring).toMatchObject([{ code: 'missing_period' }]);
    expect(spring[0]!.message).toContain('0200');
    expect(spring[0]!.message).toContain('clock change');
  });

  it('reports a missing period, a value that is not a number, a wrong interval and a duplicate per channel, and goes on with the next point', async () => {
    const bad = (n: number, periods: ReturnType<typeof dayPeriods>) => ({ code: code15(n), channels: [{ periods }] });
    const file = sample80020({
      points: [
        bad(1, dayPeriods().filter((p) => p.start !== '1300')),
        bad(2, dayPeriods().map((p) => (p.start === '0500' ? { ...p, value: 'двенадцать' } : p))),
        bad(3, dayPeriods().map((p) => (p.start === '0700' ? { ...p, end: '0745' } : p))),
        bad(4, [...dayPeriods(), { start: '2300', end: '0000', value: '1' }]),
        bad(5, dayPeriods().map((p) => (p.start === '0100' ? { ...p, value: null } : p))),
        bad(6, dayPeriods().map((p) => (p.start === '0200' ? { ...p, value: '-3' } : p))),
        { code: '12345', channels: [{}] },
        bad(7, dayPeriods()),
      ],
    });
    const { channels, problems } = await read(file, 50);
    expect(problems.map((p) => [p.code, p.pointCode])).toEqual([
      ['missing_period', code15(1)],
      ['value_not_a_number', code15(2)],
      ['wrong_interval', code15(3)],
      ['duplicate_period', code15(4)],
      ['missing_value', code15(5)],
      ['value_not_a_number', code15(6)],
      ['invalid_point_code', '12345'],
    ]);
    expect(problems[0]!.message).toContain('1300');
    const nan = problems[1]!;
    expect(nan).toMatchObject({ element: 'period', period: '0500' });
    // Header lines 1–5, point 1 on lines 6–32 (23 periods), point 2 from line 33: its hour 6 is on line 40.
    expect(nan.line).toBe(40);
    expect(nan.column).toBeGreaterThan(1);
    expect(channels.map((c) => c.point.code)).toEqual([code15(7)]);
  });

  it.each([
    ['malformed XML (a tag not closed), with line and column', Buffer.from('<?xml version="1.0" encoding="utf-8"?>\n<message class="80020" version="2">\n  <datetime><day>20260301</day>\n</message>'), 'malformed_xml'],
    ['an encoding other than windows-1251 or UTF-8', one(dayPeriods(), { declare: 'koi8-r', bytesAs: 'utf-8' }), 'unsupported_encoding'],
    ['UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<?xml version="1.0"?><message/>', 'utf16le')]), 'unsupported_encoding'],
    ['a windows-1251 declaration over UTF-8 bytes', one(dayPeriods(), { declare: 'windows-1251', bytesAs: 'utf-8' }), 'encoding_mismatch'],
    ['a UTF-8 declaration over windows-1251 bytes', one(dayPeriods(), { declare: 'utf-8', bytesAs: 'windows-1251' }), 'encoding_mismatch'],
    ['another message class', Buffer.from('<?xml version="1.0"?><message class="80040" version="2"/>'), 'not_80020'],
    ['a version it does not know', Buffer.from('<message class="80020" version="7"/>'), 'unsupported_version'],
    ['no operating day', Buffer.from('<message class="80020" version="2"><sender><inn>7701234567</inn></sender><area/></message>'), 'missing_element'],
    ['an element that is not 80020', Buffer.from('<message class="80020" version="2"><script/></message>'), 'unexpected_element'],
    ['a DOCTYPE', Buffer.from('<?xml version="1.0"?><!DOCTYPE message [<!ENTITY a "aaaa">]><message class="80020" version="2"/>'), 'unexpected_element'],
    ['an empty file', Buffer.alloc(0), 'malformed_xml'],
  ])('refuses %s with a stable code', async (_name, bytes, code) => {
    const error = await refusal(bytes);
    expect(error.code).toBe(code);
    expect(error.line).toBeGreaterThanOrEqual(1);
    if (code === 'malformed_xml' && bytes.length > 0) expect(error.problem).toMatchObject({ line: 4, code: 'malformed_xml' });
  });

  it('reads what write80020 writes, in both encodings (the export is importable)', async () => {
    const values = Array.from({ length: 24 }, (_, h) => `${h}.25`);
    for (const encoding of ['windows-1251', 'utf-8'] as const) {
      const bytes = write80020({ number: '5', timestamp: '20260302010203', day: '2026-03-01', sender: { inn: '7701234567', name: 'ПАО «Энергосбыт» & Ко' }, areas: [{ inn: '7707654321', name: 'ООО <Потребитель>', points: [{ code: code15(9), name: 'Ввод "1"', channels: [{ code: '01', desc: 'A+', values }] }] }] }, { encoding });
      const { header, channels, problems } = await read(bytes, 100);
      expect(problems).toEqual([]);
      expect(header).toMatchObject({ sender: { name: 'ПАО «Энергосбыт» & Ко' }, encoding });
      expect(channels[0]).toMatchObject({ area: { name: 'ООО <Потребитель>' }, point: { code: code15(9), name: 'Ввод "1"' }, values });
    }
  });

  it('never holds the file: a 30 MB file made on the fly is parsed with heap growth far below its size', async () => {
    const points = 8_200;
    let bytes = 0;
    let channels = 0;
    let peakGrowth = 0;
    // What stays reachable is measured after a full collection (V8's gc() exposed for this test only), so
    // the figure does not depend on when the collector happens to run.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().heapUsed;
    async function* counted() {
      for await (const chunk of large80020(points)) {
        bytes += chunk.length;
        yield chunk;
      }
    }
    for await (const e of parse80020(counted())) {
      if (e.type === 'channel') channels++;
      if (e.type === 'channel' && channels % 1000 === 0) {
        gc();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - base);
      }
    }
    expect(channels).toBe(points);
    expect(bytes).toBeGreaterThan(30 * 1024 * 1024);
    // Holding the file (or its events) would keep tens of MB reachable; the parser keeps one channel.
    expect(peakGrowth).toBeLessThan(bytes / 10);
  }, 120_000);
});

describe('80020 codes of cabinet metering points', () => {
  it('keeps a 15-digit code, pads the reference billing\'s demo codes, and has none for other codes', () => {
    expect(pointCode80020('123456789012345')).toBe('123456789012345');
    expect(pointCode80020('TU-0000042')).toBe('000000000000042');
    expect(pointCode80020('TU-H-1')).toBeNull();
    expect(hhmm(90)).toBe('0130');
  });
});
