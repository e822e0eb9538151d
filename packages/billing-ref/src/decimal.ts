/**
 * Exact decimal arithmetic on text values (readings, kWh) as scaled bigints: "123.45" at scale 4 is
 * 1234500n. Readings have at most 4 fraction digits and kWh at most 6, so a fixed scale is exact
 * where it matters and needs no library.
 */
const DECIMAL = /^(-)?([0-9]+)(?:\.([0-9]+))?$/;

export function parseScaled(text: string, scale: number): bigint {
  const match = DECIMAL.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const digits = (fraction + '0'.repeat(scale)).slice(0, scale);
  const value = BigInt(whole!) * 10n ** BigInt(scale) + BigInt(digits || '0');
  return sign ? -value : value;
}

/** Decimal text of a scaled value, without trailing fraction zeros ("1500", "12.5"). */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const unit = 10n ** BigInt(scale);
  const whole = abs / unit;
  const fraction = scale > 0 ? (abs % unit).toString().padStart(scale, '0').replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Digits before and after the point, as written ("00123.40" → 5 and 2). */
export function digitCounts(text: string): { whole: number; fraction: number } {
  const [whole = '', fraction = ''] = text.split('.');
  return { whole: whole.replace(/^0+(?=[0-9])/, '').length, fraction: fraction.length };
}
