import { digitCounts, formatScaled, parseScaled } from '../decimal.js';

/**
 * Billing's acceptance rules for one integral reading. Pure: the caller loads what the rules need
 * (the meter, its contract, the last accepted reading of the zone, the average consumption) and stores
 * the verdict. Checked in this order; the first failing rule gives the reason:
 *
 * 1. meter_not_found        the meter is not one of this consumer's
 * 2. meter_removed          the meter was removed on or before the reading's date
 * 3. meter_not_active       the date is before the meter's installation or after the contract ended
 * 4. zone_unknown           the meter has no such tariff zone
 * 5. exceeds_digit_capacity more whole or fraction digits than the dial has
 * 6. date_in_future         the reading's date is after today
 * 7. outside_reading_window the date's day of month is outside the contract's reading window
 *                           (a window ending on the 31st ends on the month's last day; one with
 *                           fromDay > toDay wraps over the month's end)
 * 8. duplicate_reading      the zone already has an accepted reading on that date
 * 9. date_before_previous   the date is before the last accepted reading of the zone
 * 10. reading_below_previous below the last accepted reading, unless it is a rollover: the dial went
 *                           past its capacity (10^digits) and the consumption through the wrap is
 *                           under a tenth of the capacity
 * 11. abnormal_consumption  consumption (kWh, transformation ratio applied) above 10 × the zone's average
 *                           daily consumption over the last year × the days since the previous reading,
 *                           and above 100 kWh (so that a small consumer is not blocked by a kettle);
 *                           applied only when the zone has an average (at least 28 days of history)
 *
 * The texts are plain English with the numbers involved; the cabinet shows its own translation by code.
 */
export const readingRejectionCodes = [
  'meter_not_found',
  'meter_removed',
  'meter_not_active',
  'zone_unknown',
  'exceeds_digit_capacity',
  'date_in_future',
  'outside_reading_window',
  'duplicate_reading',
  'date_before_previous',
  'reading_below_previous',
  'abnormal_consumption',
] as const;
export type ReadingRejectionCode = (typeof readingRejectionCodes)[number];

export const ABNORMAL_FACTOR = 10n;
export const ABNORMAL_FLOOR_KWH = '100';
export const ROLLOVER_MAX_SHARE = 10n; // consumption through a wrap must be under capacity / 10

export interface ReadingFacts {
  reading: { zone: string; date: string; value: string };
  /** null: no meter of this consumer has the id. */
  meter: {
    digits: number;
    fractionDigits: number;
    transformationRatio: string;
    zones: string[];
    installedOn: string;
    removedOn: string | null;
  } | null;
  contract: { endedOn: string | null; readingWindow: { fromDay: number; toDay: number } };
  /** The zone's latest accepted reading. */
  previous: { date: string; value: string } | null;
  /** The zone already has an accepted reading on the reading's date. */
  acceptedOnSameDate: boolean;
  /** kWh per day over the last year; null when the zone has under 28 days of history. */
  averageDailyKwh: string | null;
  today: string;
}

export type ReadingVerdict =
  | { status: 'accepted'; previousDate: string | null; consumptionKwh: string | null; rollover: boolean }
  | { status: 'rejected'; reasonCode: ReadingRejectionCode; reasonText: string };

const READING_SCALE = 4;
const KWH_SCALE = 6;

export function checkReading(facts: ReadingFacts): ReadingVerdict {
  const { reading, meter, contract, previous, today } = facts;
  const reject = (reasonCode: ReadingRejectionCode, reasonText: string): ReadingVerdict => ({ status: 'rejected', reasonCode, reasonText });

  if (!meter) return reject('meter_not_found', 'No such meter on this consumer');
  if (meter.removedOn !== null && reading.date >= meter.removedOn) return reject('meter_removed', `The meter was removed on ${meter.removedOn}`);
  if (reading.date < meter.installedOn) return reject('meter_not_active', `The meter was installed on ${meter.installedOn}`);
  if (contract.endedOn !== null && reading.date > contract.endedOn) return reject('meter_not_active', `The contract ended on ${contract.endedOn}`);
  if (!meter.zones.includes(reading.zone)) return reject('zone_unknown', `The meter has no zone ${reading.zone} (it has ${meter.zones.join(', ')})`);

  const digits = digitCounts(reading.value.replace(/(\.[0-9]*?)0+$/, '$1').replace(/\.$/, ''));
  if (digits.whole > meter.digits || digits.fraction > meter.fractionDigits) {
    return reject('exceeds_digit_capacity', `The dial has ${meter.digits} digits and ${meter.fractionDigits} after the point`);
  }
  if (reading.date > today) return reject('date_in_future', `The date ${reading.date} is after today (${today})`);
  if (!inReadingWindow(reading.date, contract.readingWindow)) {
    return reject('outside_reading_window', `Readings are accepted from day ${contract.readingWindow.fromDay} to day ${contract.readingWindow.toDay} of the month`);
  }
  if (facts.acceptedOnSameDate) return reject('duplicate_reading', `A reading of zone ${reading.zone} on ${reading.date} is already accepted`);
  if (!previous) return { status: 'accepted', previousDate: null, consumptionKwh: null, rollover: false };
  if (reading.date < previous.date) return reject('date_before_previous', `A later reading (${previous.date}) is already accepted`);

  const value = parseScaled(reading.value, READING_SCALE);
  const last = parseScaled(previous.value, READING_SCALE);
  let delta = value - last;
  let rollover = false;
  if (delta < 0n) {
    const capacity = 10n ** BigInt(meter.digits + READING_SCALE);
    const wrapped = capacity - last + value;
    if (wrapped * ROLLOVER_MAX_SHARE >= capacity) return reject('reading_below_previous', `Below the previous reading ${previous.value} of ${previous.date}`);
    delta = wrapped;
    rollover = true;
  }
  const consumption = kwh(delta, meter.transformationRatio);
  if (facts.averageDailyKwh !== null) {
    const days = BigInt(Math.max(1, daysBetween(previous.date, reading.date)));
    const expected = parseScaled(facts.averageDailyKwh, KWH_SCALE) * days;
    const floor = parseScaled(ABNORMAL_FLOOR_KWH, KWH_SCALE);
    if (consumption > expected * ABNORMAL_FACTOR && consumption > floor) {
      return reject(
        'abnormal_consumption',
        `Consumption ${formatScaled(consumption, KWH_SCALE)} kWh is over ${ABNORMAL_FACTOR} times the usual ${formatScaled(expected, KWH_SCALE)} kWh for ${days} days`,
      );
    }
  }
  return { status: 'accepted', previousDate: previous.date, consumptionKwh: formatScaled(consumption, KWH_SCALE), rollover };
}

/** kWh at scale 6 of a dial difference at scale 4, multiplied by the transformation ratio (rounded half up). */
function kwh(delta: bigint, ratio: string): bigint {
  const product = delta * parseScaled(ratio, READING_SCALE); // scale 8
  return (product + 50n) / 100n;
}

export function inReadingWindow(date: string, window: { fromDay: number; toDay: number }): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const to = Math.min(window.toDay, lastDay);
  const from = Math.min(window.fromDay, lastDay);
  return window.fromDay <= window.toDay ? d >= from && d <= to : d >= from || d <= to;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
