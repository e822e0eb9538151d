/**
 * The front's reading rules (packages/cabinet-front/src/readings/reading-rules.ts) as the browser runs
 * them, to show the same reasons inline before anything is sent; the server checks again and is the
 * authority. Same codes, same decimal arithmetic on scaled integers (never a float for a register value);
 * test/cabinet-web/reading-rules-parity.test.ts runs both on generated readings and compares the codes.
 */
export interface Dial {
  digits: number;
  fractionDigits: number;
  zones: readonly string[];
  transformationRatio: string;
  averageMonthlyKwh?: string | null;
}

export interface Problem {
  /** 'zone' | 'value' | 'date' */
  field: string;
  code: string;
  /** Values for the message (the catalogue's `readings.rule.<code>`). */
  values: Record<string, string | number>;
}

export interface Verdict {
  errors: Problem[];
  warnings: Problem[];
  consumption?: string;
  rollover: boolean;
}

export interface Context {
  today: string;
  window: { fromDay: number; toDay: number };
  previous?: { date: string; value: string };
  jumpFactor?: number;
}

const SCALE_DIGITS = 4;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const VALUE = /^([0-9]{1,12})(?:\.([0-9]{1,4}))?$/;

export function check(meter: Dial, input: { zone: string; date: string; value: string }, ctx: Context): Verdict {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const error = (field: string, code: string, values: Problem['values'] = {}) => errors.push({ field, code, values });
  if (!meter.zones.includes(input.zone)) error('zone', 'zone_not_on_meter', { zone: input.zone, zones: meter.zones.join(', ') });

  const parsed = VALUE.exec(input.value);
  if (!parsed) error('value', 'reading_value_invalid');
  else {
    const integer = parsed[1]!.replace(/^0+(?=\d)/, '');
    if (integer.length > meter.digits) error('value', 'reading_exceeds_capacity', { digits: meter.digits });
    if ((parsed[2] ?? '').replace(/0+$/, '').length > meter.fractionDigits) error('value', 'reading_too_many_decimals', { digits: meter.fractionDigits });
  }
  if (input.date > ctx.today) error('date', 'reading_date_in_future');
  if (!inWindow(Number(input.date.slice(8, 10)), ctx.window)) error('date', 'outside_reading_window', { from: ctx.window.fromDay, to: ctx.window.toDay });
  if (ctx.previous && input.date < ctx.previous.date) error('date', 'reading_date_before_previous', { date: ctx.previous.date });

  let consumption: bigint | undefined;
  let rollover = false;
  if (parsed && ctx.previous && errors.every((e) => e.field !== 'value')) {
    const capacity = 10n ** BigInt(meter.digits) * SCALE;
    const now = scaled(input.value);
    const before = scaled(ctx.previous.value);
    if (now >= before) consumption = now - before;
    else if (before * 10n >= capacity * 9n && now * 10n < capacity) {
      rollover = true;
      consumption = capacity - before + now;
      warnings.push({ field: 'value', code: 'rollover', values: {} });
    } else error('value', 'reading_below_previous', { value: ctx.previous.value, date: ctx.previous.date });
  }
  if (consumption !== undefined && errors.length === 0 && meter.averageMonthlyKwh) {
    const average = Number(meter.averageMonthlyKwh);
    const months = Math.max(1, days(ctx.previous!.date, input.date) / 30.4);
    const kwh = (Number(consumption) / Number(SCALE)) * (Number(meter.transformationRatio) || 1);
    const factor = ctx.jumpFactor ?? 3;
    if (average > 0 && kwh > factor * average * months) warnings.push({ field: 'value', code: 'abnormal_jump', values: { kwh: Math.round(kwh), usual: Math.round(average * months), factor } });
  }
  return { errors, warnings, rollover, ...(consumption !== undefined ? { consumption: unscaled(consumption) } : {}) };
}

export function inWindow(day: number, window: { fromDay: number; toDay: number }): boolean {
  return window.fromDay <= window.toDay ? day >= window.fromDay && day <= window.toDay : day >= window.fromDay || day <= window.toDay;
}

function scaled(value: string): bigint {
  const [integer, fraction = ''] = value.split('.');
  return BigInt(integer!) * SCALE + BigInt((fraction + '0000').slice(0, SCALE_DIGITS));
}

function unscaled(value: bigint): string {
  const fraction = (value % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return fraction ? `${value / SCALE}.${fraction}` : `${value / SCALE}`;
}

function days(from: string, to: string) {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}
