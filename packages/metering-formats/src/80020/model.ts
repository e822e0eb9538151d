/**
 * The 80020 message ("макет 80020", the wholesale market's metering data exchange, АТС), as this package
 * reads and writes it. One message is one operating day of one sender:
 *
 *   message class="80020" version="2" number="…"
 *     datetime: timestamp (YYYYMMDDhhmmss), daylightsavingtime (0 winter, 1 summer, 2 the day of a change), day (YYYYMMDD)
 *     sender: inn, name
 *     area*: inn, name, measuringpoint* code="<15 digits>" name="…"
 *       measuringchannel* code="01" desc="…"      (01 active import, 02 active export, 03/04 reactive)
 *         period* start="HHMM" end="HHMM" [summer="0|1"]
 *           value [status="…"]: the energy of the interval, kWh
 *
 * docs/metering-formats.md has the rules and the error codes.
 */
export interface Header80020 {
  version: string;
  number?: string;
  /** The message's creation time as written (YYYYMMDDhhmmss), when present. */
  timestamp?: string;
  /** The operating day, YYYY-MM-DD. */
  day: string;
  /** 0 winter time, 1 summer time, 2 the day of a change (daylightsavingtime). */
  dst: 0 | 1 | 2;
  sender: { inn: string; name?: string };
  /** The encoding the XML declaration named (lower case), `utf-8` without one. */
  encoding: string;
}

/** One channel of one metering point for the message's day, checked: a full day in start order. */
export interface ChannelDay {
  /** The area (the consumer's side of the exchange): its INN as written (to be checked against the contract's), name, and the line its element starts on. */
  area: { inn: string; name?: string; line: number };
  point: { code: string; name?: string };
  channel: { code: string; desc?: string };
  day: string;
  intervalMinutes: 30 | 60;
  /** kWh per interval as decimal text (`.` as the separator), 24 or 48 of them. */
  values: string[];
  /** The value's status attribute per interval (null when absent; "0" is a measured value). */
  statuses: Array<string | null>;
  /** Where the measuringchannel element starts. */
  line: number;
}

export const problemCodes = [
  // The whole file (thrown as Format80020Error):
  'malformed_xml',
  'unsupported_encoding',
  'encoding_mismatch',
  'not_80020',
  'unsupported_version',
  'missing_element',
  'unexpected_element',
  'invalid_header',
  'too_many_problems',
  // One point or one channel (reported as a problem, the rest of the file goes on):
  'invalid_point_code',
  'invalid_channel_code',
  'wrong_interval',
  'duplicate_period',
  'missing_period',
  'missing_value',
  'value_not_a_number',
  'dst_transition',
  'duplicate_channel',
  // Of the importer, not the parser: a point that is not the importer's to take; an area whose INN is
  // not the consumer's (nor a trusted sender's, for the back's import): nothing of it is taken.
  'unknown_point',
  'area_inn_mismatch',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export interface Problem80020 {
  code: ProblemCode;
  message: string;
  line: number;
  column: number;
  /** The element the problem is in (`period`, `measuringchannel`, …). */
  element: string;
  pointCode?: string;
  channelCode?: string;
  /** HHMM of the period, when one period is the problem. */
  period?: string;
}

export type Event80020 = { type: 'header'; header: Header80020 } | { type: 'channel'; channel: ChannelDay } | { type: 'problem'; problem: Problem80020 };

/** A problem that stops the file: nothing in it can be trusted (bad XML, encoding, not an 80020 message). */
export class Format80020Error extends Error {
  constructor(
    readonly code: ProblemCode,
    message: string,
    readonly line: number,
    readonly column: number,
    readonly element: string,
  ) {
    super(message);
    this.name = 'Format80020Error';
  }

  get problem(): Problem80020 {
    return { code: this.code, message: this.message, line: this.line, column: this.column, element: this.element };
  }
}
