import type { FieldProblem } from '@app/kernel';

/**
 * The rules a new integral reading must meet before it is sent to billing. Pure: no I/O, no clock
 * (today is given), decimal arithmetic on scaled integers (a register value never passes through a float).
 *
 * - the zone is one of the meter's tariff zones                               zone_not_on_meter
 * - the value fits the dial: at most `digits` integer and `fractionDigits`
 *   fraction digits                                                           reading_exceeds_capacity / reading_too_many_decimals
 * - the date is not in the future                                             reading_date_in_future
 * - the date's day of month is in the contract's reading window
 *   (fromDay..toDay; a window like 25..5 runs over the month's end)           outside_reading_window
 * - the date is not before the previous accepted reading                      reading_date_before_previous
 * - the value is not below the previous accepted one, unless the register
 *   rolled over: previous within the top 10 % of the dial and the new value
 *   within its bottom 10 %; then consumption = capacity − previous + new      reading_below_previous
 * - consumption (× transformation ratio) above `jumpFactor` × the average
 *   monthly consumption (scaled by the months since the previous reading)
 *   is a warning, `abnormal_jump`, that the consumer confirms; not an error
 */
export interface MeterDial {
  digits: number;
  fractionDigits: number;
  zones: readonly string[];
  transformationRatio: string;
  averageMonthlyKwh?: string | null;
}

export interface ReadingInput {
  zone: string;
  date: string;
  value: string;
}

export interface ReadingContext {
  today: string;
  window: { fromDay: number; toDay: number };
  /** The previous accepted reading of this meter and zone, if any. */
  previous?: { date: string; value: string };
  jumpFactor?: number;
}

type RuleProblem = FieldProblem & { code: ReadingCheckCode };

export interface ReadingVerdict {
  errors: RuleProblem[];
  warnings: RuleProblem[];
  /** Register units (before the transformation ratio), decimal text; absent without a previous reading. */
  consumption?: string;
  rollover: boolean;
}

/** Every code checkReading gives (errors and warnings); the cabinet's screens have a text for each. */
export const readingRuleCodes = [
  'zone_not_on_meter',
  'reading_value_invalid',
  'reading_exceeds_capacity',
  'reading_too_many_decimals',
  'reading_date_in_future',
  'outside_reading_window',
  'reading_date_before_previous',
  'reading_below_previous',
  'rollover',
  'abnormal_jump',
] as const;
export type ReadingRuleCode = (typeof readingRuleCodes)[number];
/** With the codes the readings service adds around the rules (Readings.checkEach). */
export const readingCheckCodes = [...readingRuleCodes, 'meter_not_found', 'duplicate_reading', 'contract_terminated'] as const;
export type ReadingCheckCode = (typeof readingCheckCodes)[number];

const SCALE_DIGITS = 4;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const VALUE = /^([0-9]{1,12})(?:\.([0-9]{1,4}))?$/;

export function checkReading(meter: MeterDial, input: ReadingInput, ctx: ReadingContext, field = ''): ReadingVerdict {
  const errors: RuleProblem[] = [];
  const warnings: RuleProblem[] = [];
  const at = (name: string) => (field ? `${field}/${name}` : name);
  const error = (name: string, code: ReadingRuleCode, message: string) => errors.push({ field: at(name), code, message });

  if (!meter.zones.includes(input.zone)) error('zone', 'zone_not_on_meter', `The meter has no zone "${input.zone}"; it has ${meter.zones.join(', ')}`);

  const parsed = VALUE.exec(input.value);
  if (!parsed) error('value', 'reading_value_invalid', 'A reading is digits with at most 4 after the point');
  else {
    const integer = parsed[1]!.replace(/^0+(?=\d)/, '');
    if (integer.length > meter.digits) error('value', 'reading_exceeds_capacity', `The dial has ${meter.digits} digits before the point`);
    if ((parsed[2] ?? '').replace(/0+$/, '').length > meter.fractionDigits) error('value', 'reading_too_many_decimals', `The dial has ${meter.fractionDigits} digits after the point`);
  }

  if (input.date > ctx.today) error('date', 'reading_date_in_future', 'The reading date is in the future');
  const day = Number(input.date.slice(8, 10));
  if (!inWindow(day, ctx.window)) error('date', 'outside_reading_window', `Readings are taken from day ${ctx.window.fromDay} to day ${ctx.window.toDay} of the month`);
  if (ctx.previous && input.date < ctx.previous.date) error('date', 'reading_date_before_previous', `A reading of ${ctx.previous.date} has been accepted already`);

  let consumption: bigint | undefined;
  let rollover = false;
  if (parsed && ctx.previous && errors.every((e) => e.field !== at('value'))) {
    const capacity = 10n ** BigInt(meter.digits) * SCALE;
    const now = toScaled(input.value);
    const before = toScaled(ctx.previous.value);
    if (now >= before) consumption = now - before;
    else if (before * 10n >= capacity * 9n && now * 10n < capacity) {
      rollover = true;
      consumption = capacity - before + now;
      warnings.push({ field: at('value'), code: 'rollover', message: 'The register passed its maximum and started from zero' });
    } else error('value', 'reading_below_previous', `The reading is below the previous accepted one (${ctx.previous.value} of ${ctx.previous.date})`);
  }

  if (consumption !== undefined && errors.length === 0 && meter.averageMonthlyKwh) {
    const average = Number(meter.averageMonthlyKwh);
    const months = Math.max(1, daysBetween(ctx.previous!.date, input.date) / 30.4);
    const kwh = (Number(consumption) / Number(SCALE)) * (Number(meter.transformationRatio) || 1);
    const factor = ctx.jumpFactor ?? 3;
    if (average > 0 && kwh > factor * average * months) {
      warnings.push({ field: at('value'), code: 'abnormal_jump', message: `Consumption ${round(kwh)} kWh is over ${factor} times the usual ${round(average * months)} kWh; confirm if it is right` });
    }
  }
  return { errors, warnings, rollover, ...(consumption !== undefined ? { consumption: fromScaled(consumption) } : {}) };
}

export function inWindow(day: number, window: { fromDay: number; toDay: number }): boolean {
  return window.fromDay <= window.toDay ? day >= window.fromDay && day <= window.toDay : day >= window.fromDay || day <= window.toDay;
}

function toScaled(value: string): bigint {
  const [integer, fraction = ''] = value.split('.');
  return BigInt(integer!) * SCALE + BigInt((fraction + '0000').slice(0, SCALE_DIGITS));
}

function fromScaled(value: bigint): string {
  const integer = value / SCALE;
  const fraction = (value % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return fraction ? `${integer}.${fraction}` : `${integer}`;
}

function daysBetween(from: string, to: string) {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

const round = (n: number) => Math.round(n * 10) / 10;
