import iconv from 'iconv-lite';

/**
 * Hand-made 80020 files for tests and the benchmark: written as text here (not by write80020), so the
 * parser is checked against files the writer did not make, including broken ones.
 */
export interface SamplePeriod {
  start: string;
  end: string;
  value?: string | null;
  summer?: string;
  status?: string;
}
export interface SampleChannel {
  code?: string;
  desc?: string;
  /** Default: 24 hourly periods with values 1.5, 2.5, … */
  periods?: SamplePeriod[];
}
export interface SamplePoint {
  code: string;
  name?: string;
  channels?: SampleChannel[];
}
export interface SampleOptions {
  day?: string;
  dst?: string;
  senderInn?: string;
  areaInn?: string;
  points: SamplePoint[];
  /** More areas after the first (another organisation's points, say). */
  moreAreas?: Array<{ inn: string; name?: string; points: SamplePoint[] }>;
  /** What the declaration says (default windows-1251); `null`: no declaration. */
  declare?: string | null;
  /** How the bytes are encoded (default: as declared). */
  bytesAs?: 'windows-1251' | 'utf-8';
}

export const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;

export function dayPeriods(minutes: 30 | 60 = 60, value: (i: number) => string = (i) => `${i + 1}.5`): SamplePeriod[] {
  return Array.from({ length: 1440 / minutes }, (_, i) => ({ start: hhmm(i * minutes), end: hhmm(((i + 1) * minutes) % 1440), value: value(i) }));
}

export function sample80020Text(options: SampleOptions): string {
  const day = (options.day ?? '2026-03-01').replaceAll('-', '');
  const declare = options.declare === undefined ? 'windows-1251' : options.declare;
  const lines: string[] = [];
  if (declare !== null) lines.push(`<?xml version="1.0" encoding="${declare}"?>`);
  lines.push('<message class="80020" version="2" number="17">');
  lines.push(`  <datetime><timestamp>${day}235959</timestamp><daylightsavingtime>${options.dst ?? '0'}</daylightsavingtime><day>${day}</day></datetime>`);
  lines.push(`  <sender><inn>${options.senderInn ?? '7701234567'}</inn><name>ООО «Энергоучёт»</name></sender>`);
  for (const area of [{ inn: options.areaInn ?? '7707654321', name: 'ООО «Потребитель»', points: options.points }, ...(options.moreAreas ?? [])]) {
    lines.push(`  <area><inn>${area.inn}</inn><name>${area.name ?? 'ООО «Потребитель»'}</name>`);
    for (const point of area.points) {
      lines.push(`    <measuringpoint code="${point.code}" name="${point.name ?? 'Ввод 1'}">`);
      for (const channel of point.channels ?? [{}]) {
        lines.push(`      <measuringchannel code="${channel.code ?? '01'}" desc="${channel.desc ?? 'Активная энергия, приём'}">`);
        for (const p of channel.periods ?? dayPeriods()) {
          const summer = p.summer !== undefined ? ` summer="${p.summer}"` : '';
          const value = p.value === null ? '' : `<value status="${p.status ?? '0'}">${p.value ?? '1'}</value>`;
          lines.push(`        <period start="${p.start}" end="${p.end}"${summer}>${value}</period>`);
        }
        lines.push('      </measuringchannel>');
      }
      lines.push('    </measuringpoint>');
    }
    lines.push('  </area>');
  }
  lines.push('</message>', '');
  return lines.join('\n');
}

export function sample80020(options: SampleOptions): Buffer {
  const text = sample80020Text(options);
  const as = options.bytesAs ?? (options.declare === 'utf-8' || options.declare === null ? 'utf-8' : 'windows-1251');
  return as === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'win1251');
}

/** A 15-digit point code from a number. */
export const code15 = (n: number) => String(n).padStart(15, '0');

/**
 * A large valid file made on the fly, in windows-1251 chunks of about 64 KiB: `points` measuring points with
 * a half-hourly channel 01 each. Never the whole file in memory (the benchmark and the bounded-memory test
 * feed it to the parser as they make it). About 3.9 KB per point (8,200 points: 30 MiB).
 */
export async function* large80020(points: number, options: { day?: string } = {}): AsyncGenerator<Buffer> {
  const day = (options.day ?? '2026-03-01').replaceAll('-', '');
  let buffer = `<?xml version="1.0" encoding="windows-1251"?>\n<message class="80020" version="2" number="1">\n  <datetime><timestamp>${day}235959</timestamp><daylightsavingtime>0</daylightsavingtime><day>${day}</day></datetime>\n  <sender><inn>7701234567</inn><name>ООО «Энергоучёт»</name></sender>\n  <area><inn>7707654321</inn><name>ООО «Потребитель»</name>\n`;
  for (let n = 1; n <= points; n++) {
    buffer += `    <measuringpoint code="${code15(n)}" name="Ввод ${n}">\n      <measuringchannel code="01" desc="Активная энергия, приём">\n`;
    for (let i = 0; i < 48; i++) buffer += `        <period start="${hhmm(i * 30)}" end="${hhmm(((i + 1) * 30) % 1440)}"><value status="0">${(n % 97) + i / 4}</value></period>\n`;
    buffer += '      </measuringchannel>\n    </measuringpoint>\n';
    if (buffer.length > 64 * 1024) {
      yield iconv.encode(buffer, 'win1251');
      buffer = '';
    }
  }
  buffer += '  </area>\n</message>\n';
  yield iconv.encode(buffer, 'win1251');
}

/** Chunks of a buffer, as a stream would hand them (small chunks put tokens across borders). */
export async function* chunksOf(bytes: Buffer, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
