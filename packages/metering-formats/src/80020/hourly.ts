import type { ChannelDay } from './model.js';

/** Channel 01: active energy received by the consumer — the channel that is the consumer's hourly data. */
export const ACTIVE_IMPORT_CHANNEL = '01';

const SCALE = 1_000_000n;

/**
 * The day's 24 hourly kWh values of a checked channel: as they are for hourly periods, the two halves
 * summed (exactly, on scaled integers) for half-hourly ones.
 */
export function hourlyValues(channel: Pick<ChannelDay, 'intervalMinutes' | 'values'>): string[] {
  if (channel.intervalMinutes === 60) return channel.values.map(trim);
  const hours: string[] = [];
  for (let h = 0; h < 24; h++) hours.push(format(scaled(channel.values[2 * h]!) + scaled(channel.values[2 * h + 1]!)));
  return hours;
}

/** Decimal text (at most 6 fraction digits) as an integer of millionths. */
export function scaled(value: string): bigint {
  const [whole, fraction = ''] = value.split('.');
  return BigInt(whole!) * SCALE + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
}

export function format(millionths: bigint): string {
  const negative = millionths < 0n;
  const abs = negative ? -millionths : millionths;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

const trim = (value: string) => format(scaled(value));

/** The exact sum of kWh values given as decimal text (at most 6 fraction digits). */
export function sumKwh(values: readonly string[]): string {
  return format(values.reduce((sum, v) => sum + scaledSigned(v), 0n));
}

function scaledSigned(value: string): bigint {
  return value.startsWith('-') ? -scaled(value.slice(1)) : scaled(value);
}

/**
 * The 80020 code of a cabinet metering point: its billing code when that is the 15-digit code of the
 * market's registry; for the reference billing's demo codes (`TU-0000001`: letters, a dash, digits) the
 * digits left-padded to 15. Any other code has none (the point cannot be exchanged in 80020).
 */
export function pointCode80020(code: string): string | null {
  if (/^[0-9]{15}$/.test(code)) return code;
  const demo = /^[A-Za-z]{1,4}-([0-9]{1,15})$/.exec(code);
  return demo ? demo[1]!.padStart(15, '0') : null;
}
