import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import yazl from 'yazl';

/** What one 80020 message holds when written: one operating day of one sender. */
export interface Message80020 {
  number: string;
  /** YYYYMMDDhhmmss, the supplier's local time of writing. */
  timestamp: string;
  /** The operating day, YYYY-MM-DD. */
  day: string;
  sender: { inn: string; name: string };
  areas: Array<{
    inn: string;
    name: string;
    points: Array<{ code: string; name: string; channels: Array<{ code: string; desc: string; intervalMinutes?: 30 | 60; values: string[] }> }>;
  }>;
}

export type Encoding80020 = 'windows-1251' | 'utf-8';

/**
 * Writes one message: version 2, daylightsavingtime 0 (the supplier's zone has no clock changes), every
 * period with `summer="0"` and `status="0"`. Values are written as given (decimal text, kWh). The result is
 * bytes in the encoding the declaration names (windows-1251 by default, what the market's systems expect).
 */
export function write80020(message: Message80020, options: { encoding?: Encoding80020 } = {}): Buffer {
  const encoding = options.encoding ?? 'windows-1251';
  const parts: string[] = [`<?xml version="1.0" encoding="${encoding}"?>\n`];
  parts.push(`<message class="80020" version="2" number="${esc(message.number)}">\n`);
  parts.push(`  <datetime>\n    <timestamp>${esc(message.timestamp)}</timestamp>\n    <daylightsavingtime>0</daylightsavingtime>\n    <day>${message.day.replaceAll('-', '')}</day>\n  </datetime>\n`);
  parts.push(`  <sender>\n    <inn>${esc(message.sender.inn)}</inn>\n    <name>${esc(message.sender.name)}</name>\n  </sender>\n`);
  for (const area of message.areas) {
    parts.push(`  <area>\n    <inn>${esc(area.inn)}</inn>\n    <name>${esc(area.name)}</name>\n`);
    for (const point of area.points) {
      parts.push(`    <measuringpoint code="${esc(point.code)}" name="${esc(point.name)}">\n`);
      for (const channel of point.channels) {
        const minutes = channel.intervalMinutes ?? 60;
        if (channel.values.length * minutes !== 1440) throw new Error(`channel ${channel.code} of ${point.code}: ${channel.values.length} values of ${minutes} minutes are not a day`);
        parts.push(`      <measuringchannel code="${esc(channel.code)}" desc="${esc(channel.desc)}">\n`);
        channel.values.forEach((value, i) => {
          parts.push(`        <period start="${hhmm(i * minutes)}" end="${hhmm(((i + 1) * minutes) % 1440)}" summer="0"><value status="0">${esc(value)}</value></period>\n`);
        });
        parts.push('      </measuringchannel>\n');
      }
      parts.push('    </measuringpoint>\n');
    }
    parts.push('  </area>\n');
  }
  parts.push('</message>\n');
  const text = parts.join('');
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'win1251');
}

/** Several days' messages as one ZIP, streamed (the market's exchange sends a file per day). */
export function zip80020(files: Array<{ name: string; bytes: Buffer }>): Readable {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(f.bytes, f.name);
  zip.end();
  return zip.outputStream as Readable;
}

/** The file name the market's exchange uses: 80020_<sender INN>_<YYYYMMDD>_<number>.xml */
export function fileName80020(senderInn: string, day: string, number: string) {
  return `80020_${senderInn}_${day.replaceAll('-', '')}_${number}.xml`;
}

function hhmm(minutes: number) {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}

function esc(text: string) {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === '&') out += '&amp;';
    else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '"') out += '&quot;';
    else if (code < 0x20 && c !== '\t' && c !== '\n' && c !== '\r') continue; // not allowed in XML 1.0
    // windows-1251 has no code for most of Unicode: such characters become character references, not "?".
    else if (code < 0x80 || (code >= 0x400 && code <= 0x45f) || '«»—–№'.includes(c)) out += c;
    else out += `&#${code};`;
  }
  return out;
}
