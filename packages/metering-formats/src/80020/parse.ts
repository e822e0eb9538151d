import iconv from 'iconv-lite';
import { SaxesParser } from 'saxes';
import { Format80020Error, type ChannelDay, type Event80020, type Header80020, type Problem80020, type ProblemCode } from './model.js';

/**
 * A strict, streaming reader of 80020 messages. Bytes come in chunks (a file stream, an upload, a
 * generator); the XML declaration's encoding decides how they are decoded (UTF-8 or windows-1251, through
 * iconv-lite); saxes tokenizes; this file only keeps the path of open elements and the one channel being
 * read, so memory does not grow with the file. Events come out as soon as each channel closes:
 *
 *   header   once, when the first area opens (datetime and sender read and checked)
 *   channel  one measuring channel of one point for the day, complete and in order (ChannelDay)
 *   problem  a point or channel that cannot be taken, with its code, line and column; reading goes on
 *
 * A problem with the whole file (bad XML, an encoding it is not in, not an 80020 message, a header
 * missing) throws Format80020Error instead: nothing after it can be trusted.
 */
export interface Parse80020Options {
  /** After this many problems the file is refused (`too_many_problems`). Default 1000. */
  maxProblems?: number;
}

const SUPPORTED_VERSIONS = new Set(['1', '2']);
const ENCODINGS: Record<string, 'utf-8' | 'windows-1251'> = { 'utf-8': 'utf-8', utf8: 'utf-8', 'windows-1251': 'windows-1251', cp1251: 'windows-1251', 'win-1251': 'windows-1251' };
const POINT_CODE = /^[0-9]{15}$/;
const CHANNEL_CODE = /^[0-9]{2}$/;
const HHMM = /^([01][0-9]|2[0-4])([0-5][0-9])$/;
const VALUE = /^[0-9]{1,12}([.,][0-9]{1,6})?$/;
const DAY = /^([0-9]{4})([0-9]{2})([0-9]{2})$/;
const TIMESTAMP = /^[0-9]{14}$/;
const INN = /^[0-9]{10}([0-9]{2})?$/;

interface Period {
  start: string;
  end: string;
  summer: string | null;
  value: string | null;
  status: string | null;
  line: number;
  column: number;
}

export async function* parse80020(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: Parse80020Options = {}): AsyncGenerator<Event80020> {
  const maxProblems = options.maxProblems ?? 1000;
  const out: Event80020[] = [];
  let problems = 0;
  const xml = new SaxesParser({ position: true });
  const at = () => ({ line: xml.line, column: xml.column });
  const fail = (code: ProblemCode, message: string, element: string): never => {
    const { line, column } = at();
    throw new Format80020Error(code, message, line, column, element);
  };
  const problem = (p: Omit<Problem80020, 'line' | 'column'> & { line?: number; column?: number }) => {
    problems++;
    if (problems > maxProblems) fail('too_many_problems', `More than ${maxProblems} problems: the file is refused`, p.element);
    out.push({ type: 'problem', problem: { line: p.line ?? xml.line, column: p.column ?? xml.column, ...p } as Problem80020 });
  };

  // --- State: the path of open elements and what is being read. ---
  const path: string[] = [];
  let text = '';
  let root = false;
  let encoding = 'utf-8';
  const header: Partial<Omit<Header80020, 'sender'>> & { sender: { inn?: string; name?: string }; dstText?: string; dayText?: string } = { sender: {} };
  let headerOut: Header80020 | null = null;
  let area: { inn?: string; name?: string; line: number } | null = null;
  let point: { code: string; name?: string; skip: boolean; channels: Set<string> } | null = null;
  let channel: { code: string; desc?: string; skip: boolean; line: number; periods: Period[] } | null = null;
  let period: Period | null = null;
  let skipDepth = 0;

  const emitHeader = () => {
    if (headerOut) return headerOut;
    if (!header.dayText) fail('missing_element', 'datetime/day is missing: the message names no operating day', 'datetime');
    const day = DAY.exec(header.dayText!);
    const iso = day ? `${day[1]}-${day[2]}-${day[3]}` : '';
    if (!day || !isCalendarDate(iso)) fail('invalid_header', `datetime/day "${clip(header.dayText!)}" is not a date YYYYMMDD`, 'day');
    const dst = header.dstText === undefined ? 0 : Number(header.dstText);
    if (header.dstText !== undefined && !/^[012]$/.test(header.dstText)) fail('invalid_header', `daylightsavingtime "${clip(header.dstText)}" is not 0, 1 or 2`, 'daylightsavingtime');
    if (header.timestamp !== undefined && !TIMESTAMP.test(header.timestamp)) fail('invalid_header', `datetime/timestamp "${clip(header.timestamp)}" is not YYYYMMDDhhmmss`, 'timestamp');
    if (!header.sender.inn) fail('missing_element', 'sender/inn is missing', 'sender');
    if (!INN.test(header.sender.inn!)) fail('invalid_header', `sender/inn "${clip(header.sender.inn!)}" is not an INN (10 or 12 digits)`, 'inn');
    headerOut = {
      version: header.version!,
      ...(header.number ? { number: header.number } : {}),
      ...(header.timestamp ? { timestamp: header.timestamp } : {}),
      day: iso,
      dst: dst as 0 | 1 | 2,
      sender: { inn: header.sender.inn!, ...(header.sender.name ? { name: header.sender.name } : {}) },
      encoding,
    };
    out.push({ type: 'header', header: headerOut });
    return headerOut;
  };

  const closeChannel = () => {
    const c = channel!;
    channel = null;
    if (c.skip || !point || point.skip) return;
    const h = headerOut!;
    const where = { element: 'measuringchannel', pointCode: point.code, channelCode: c.code, line: c.line, column: 1 };
    if (h.dst === 2) return problem({ ...where, code: 'dst_transition', message: `The message is of a day when clocks changed (daylightsavingtime 2); the supplier's time zone has no such day, so its ${c.periods.length} intervals cannot be placed in a 24-hour day` });
    if (c.periods.length === 0) return problem({ ...where, code: 'missing_period', message: 'The channel has no period' });
    const summers = new Set(c.periods.map((p) => p.summer ?? String(h.dst)));
    if (summers.size > 1) return problem({ ...where, code: 'dst_transition', message: 'The channel mixes summer and winter periods (a clock change inside the day); the supplier\'s time zone has none' });
    let minutes: number | null = null;
    const byStart = new Map<number, Period>();
    for (const p of c.periods) {
      const at = { element: 'period', pointCode: point.code, channelCode: c.code, period: p.start, line: p.line, column: p.column };
      const s = HHMM.exec(p.start);
      const e = HHMM.exec(p.end);
      const startMin = s ? Number(s[1]) * 60 + Number(s[2]) : NaN;
      let endMin = e ? Number(e[1]) * 60 + Number(e[2]) : NaN;
      if (endMin === 0) endMin = 1440;
      const length = endMin - startMin;
      if (!s || !e || startMin >= 1440 || endMin > 1440 || (length !== 30 && length !== 60) || startMin % length !== 0) {
        return problem({ ...at, code: 'wrong_interval', message: `Period ${clip(p.start)}–${clip(p.end)} is not a whole hour or half-hour of the day` });
      }
      if (minutes !== null && length !== minutes) return problem({ ...at, code: 'wrong_interval', message: `Period ${p.start}–${p.end} is ${length} minutes long, the channel's others ${minutes}` });
      minutes = length;
      if (byStart.has(startMin)) return problem({ ...at, code: 'duplicate_period', message: `Period ${p.start}–${p.end} appears twice` });
      if (p.value === null) return problem({ ...at, code: 'missing_value', message: `Period ${p.start}–${p.end} has no value` });
      if (!VALUE.test(p.value)) return problem({ ...at, code: 'value_not_a_number', message: `Period ${p.start}–${p.end}: "${clip(p.value)}" is not a non-negative number of kWh (at most 6 digits after the point)` });
      byStart.set(startMin, p);
    }
    const count = 1440 / minutes!;
    if (byStart.size !== count) {
      const missing: string[] = [];
      for (let m = 0; m < 1440; m += minutes!) if (!byStart.has(m)) missing.push(hhmm(m));
      const dstHint = h.dst !== 0 && (byStart.size === count - 60 / minutes! || byStart.size === count + 60 / minutes!) ? ' (23 or 25 hours: a clock change, which the supplier\'s time zone does not have)' : '';
      return problem({ ...where, code: missing.length > 0 ? 'missing_period' : 'wrong_interval', message: `The day has ${byStart.size} of ${count} periods; missing ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''}${dstHint}` });
    }
    const ordered = [...byStart.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
    if (point.channels.has(c.code)) return problem({ ...where, code: 'duplicate_channel', message: `Channel ${c.code} appears twice in point ${point.code}` });
    point.channels.add(c.code);
    const result: ChannelDay = {
      area: { inn: area?.inn ?? '', ...(area?.name ? { name: area.name } : {}), line: area?.line ?? 0 },
      point: { code: point.code, ...(point.name ? { name: point.name } : {}) },
      channel: { code: c.code, ...(c.desc ? { desc: c.desc } : {}) },
      day: h.day,
      intervalMinutes: minutes as 30 | 60,
      values: ordered.map((p) => p.value!.replace(',', '.')),
      statuses: ordered.map((p) => p.status),
      line: c.line,
    };
    out.push({ type: 'channel', channel: result });
  };

  xml.on('error', (err) => fail('malformed_xml', `Not well-formed XML: ${err.message.replace(/^[^:]*:\d+:\d+: /, '')}`, path.at(-1) ?? 'document'));
  xml.on('doctype', () => fail('unexpected_element', 'A DOCTYPE is not allowed in an 80020 message', 'DOCTYPE'));
  xml.on('text', (t) => {
    if (skipDepth > 0) return;
    text += t;
  });
  xml.on('cdata', (t) => {
    if (skipDepth > 0) return;
    text += t;
  });
  xml.on('opentag', (tag) => {
    const name = tag.name;
    const attrs = tag.attributes as Record<string, string>;
    const parent = path.at(-1);
    path.push(name);
    if (skipDepth > 0) {
      skipDepth++;
      return;
    }
    if (text.trim() !== '' && parent && !leaf.has(parent)) fail('unexpected_element', `Text "${clip(text.trim())}" inside <${parent}>`, parent);
    text = '';
    const expect = (parents: string[]) => {
      if (!parent || !parents.includes(parent)) fail('unexpected_element', `<${name}> is not expected ${parent ? `inside <${parent}>` : 'at the top'}`, name);
    };
    switch (name) {
      case 'message':
        if (root) fail('unexpected_element', 'A second <message>', name);
        if (parent) fail('unexpected_element', '<message> is the root element', name);
        root = true;
        if (attrs.class !== '80020') fail('not_80020', `The message class is "${clip(attrs.class ?? '')}", not 80020`, name);
        if (!SUPPORTED_VERSIONS.has(attrs.version ?? '')) fail('unsupported_version', `80020 version "${clip(attrs.version ?? '')}" is not supported (1 or 2)`, name);
        header.version = attrs.version!;
        if (attrs.number) header.number = attrs.number;
        return;
      case 'datetime':
      case 'sender':
        return expect(['message']);
      case 'timestamp':
      case 'daylightsavingtime':
      case 'day':
        return expect(['datetime']);
      case 'inn':
      case 'name':
        return expect(['sender', 'area']);
      case 'area':
        expect(['message']);
        emitHeader();
        area = { line: xml.line };
        return;
      case 'measuringpoint': {
        expect(['area']);
        const code = attrs.code ?? '';
        point = { code, ...(attrs.name ? { name: attrs.name } : {}), skip: false, channels: new Set() };
        if (!POINT_CODE.test(code)) {
          point.skip = true;
          problem({ code: 'invalid_point_code', message: `Measuring point code "${clip(code)}" is not 15 digits`, element: name, pointCode: code });
        }
        return;
      }
      case 'deliverypoint':
      case 'peretok':
        // Parts of 80020 this importer does not take (delivery points, flows between areas): skipped whole.
        expect(['area']);
        skipDepth = 1;
        return;
      case 'measuringchannel': {
        expect(['measuringpoint']);
        const code = attrs.code ?? '';
        channel = { code, ...(attrs.desc ? { desc: attrs.desc } : {}), skip: false, line: xml.line, periods: [] };
        if (!CHANNEL_CODE.test(code) && !point!.skip) {
          channel.skip = true;
          problem({ code: 'invalid_channel_code', message: `Channel code "${clip(code)}" is not two digits`, element: name, pointCode: point!.code, channelCode: code });
        }
        return;
      }
      case 'period':
        expect(['measuringchannel']);
        period = { start: attrs.start ?? '', end: attrs.end ?? '', summer: attrs.summer ?? null, value: null, status: null, line: xml.line, column: xml.column };
        return;
      case 'value':
        expect(['period']);
        if (period!.value !== null) fail('unexpected_element', 'A second <value> in one period', name);
        period!.status = attrs.status ?? null;
        if (attrs.summer !== undefined && period!.summer === null) period!.summer = attrs.summer;
        return;
      default:
        fail('unexpected_element', `<${name}> is not an element of an 80020 message`, name);
    }
  });
  xml.on('closetag', (tag) => {
    const name = tag.name;
    path.pop();
    if (skipDepth > 0) {
      skipDepth--;
      text = '';
      return;
    }
    const value = text.trim();
    text = '';
    if (value !== '' && !leaf.has(name)) fail('unexpected_element', `Text "${clip(value)}" inside <${name}>`, name);
    const parent = path.at(-1);
    switch (name) {
      case 'timestamp':
        header.timestamp = value;
        return;
      case 'daylightsavingtime':
        header.dstText = value;
        return;
      case 'day':
        header.dayText = value;
        return;
      case 'inn':
        if (parent === 'sender') header.sender.inn = value;
        else if (area) area.inn = value;
        return;
      case 'name':
        if (parent === 'sender') header.sender.name = value;
        else if (area) area.name = value;
        return;
      case 'value':
        period!.value = value === '' ? null : value;
        return;
      case 'period':
        channel!.periods.push(period!);
        period = null;
        return;
      case 'measuringchannel':
        closeChannel();
        return;
      case 'measuringpoint':
        point = null;
        return;
      case 'area':
        area = null;
        return;
      case 'message':
        emitHeader();
        return;
      default:
    }
  });

  // --- Bytes → text: the declaration decides the encoding. ---
  let head: Buffer | null = Buffer.alloc(0);
  let decode: ((bytes: Buffer) => string) | null = null;
  const start = (bytes: Buffer) => {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) fail('unsupported_encoding', 'The file is UTF-16; 80020 files are windows-1251 or UTF-8', 'document');
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const ascii = bytes.subarray(bom ? 3 : 0, 400).toString('latin1');
    const decl = /^<\?xml\s[^?]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(ascii);
    const named = (decl?.[1] ?? 'utf-8').toLowerCase();
    const known = ENCODINGS[named];
    if (!known) fail('unsupported_encoding', `The XML declaration names encoding "${clip(named)}"; windows-1251 and UTF-8 are supported`, 'xml');
    if (bom && known !== 'utf-8') fail('encoding_mismatch', `The file starts with a UTF-8 byte order mark but declares ${named}`, 'xml');
    encoding = named;
    if (known === 'utf-8') {
      const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
      decode = (b) => {
        try {
          return decoder.decode(b, { stream: true });
        } catch {
          return fail('encoding_mismatch', 'The file declares UTF-8 but its bytes are not UTF-8 (saved as windows-1251?)', path.at(-1) ?? 'document');
        }
      };
    } else {
      const decoder = iconv.getDecoder('win1251');
      // Only the first non-ASCII bytes are judged (gathered across chunks); later ones pass straight through.
      let judged = false;
      let probe = Buffer.alloc(0);
      decode = (b) => {
        if (!judged) {
          probe = Buffer.concat([probe, b]);
          const verdict = utf8Verdict(probe);
          if (verdict === 'utf-8') fail('encoding_mismatch', 'The file declares windows-1251 but its text is UTF-8 (Cyrillic would come out garbled)', path.at(-1) ?? 'document');
          if (verdict === 'not-utf-8') judged = true;
          else if (verdict === 'ascii') probe = Buffer.alloc(0);
          else if (probe.length > 4096) judged = true; // one lone non-ASCII character in 4 KiB: nothing to judge by
          else probe = probe.subarray(Math.max(0, probe.findIndex((x) => x >= 0x80)));
        }
        return decoder.write(b);
      };
    }
  };
  const feed = (bytes: Buffer) => {
    const chunk = decode!(bytes);
    if (chunk) xml.write(chunk);
  };

  for await (const piece of source) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (head) {
      head = Buffer.concat([head, bytes]);
      if (head.length < 400 && !head.includes(0x3e)) continue; // wait for the declaration's end
      start(head);
      const first = head;
      head = null;
      feed(first);
    } else feed(bytes);
    while (out.length > 0) yield out.shift()!;
  }
  if (head) {
    if (head.length === 0) fail('malformed_xml', 'The file is empty', 'document');
    start(head);
    feed(head);
  }
  xml.close();
  if (!root) fail('malformed_xml', 'No <message> element', 'document');
  emitHeader();
  while (out.length > 0) yield out.shift()!;
}

/** The elements whose text is their value. */
const leaf = new Set(['timestamp', 'daylightsavingtime', 'day', 'inn', 'name', 'value']);

/**
 * Judges the first non-ASCII bytes: `utf-8` when they are two or more well-formed UTF-8 multi-byte
 * sequences, `not-utf-8` when they break UTF-8's rules, `ascii` when there are none yet, `undecided` when
 * they end too soon to tell. windows-1251 Cyrillic is almost never valid UTF-8 (its letters are 0xC0–0xFF,
 * each of which would need continuation bytes 0x80–0xBF after it), so "valid UTF-8" under a windows-1251
 * declaration means the file was saved as UTF-8.
 */
function utf8Verdict(bytes: Buffer): 'utf-8' | 'not-utf-8' | 'ascii' | 'undecided' {
  let i = bytes.findIndex((b) => b >= 0x80);
  if (i < 0) return 'ascii';
  let sequences = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return 'not-utf-8';
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return 'undecided';
      if ((bytes[i + k]! & 0xc0) !== 0x80) return 'not-utf-8';
    }
    sequences++;
    if (sequences >= 2) return 'utf-8';
    i += need + 1;
  }
  return 'undecided';
}

function hhmm(minutes: number) {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}

function isCalendarDate(date: string) {
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
