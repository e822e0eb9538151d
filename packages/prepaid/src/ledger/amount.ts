import { badRequest } from '@app/kernel';

/** Largest single amount accepted: 100 million roubles in kopecks — far above any real purchase or credit. */
export const MAX_AMOUNT = 10_000_000_000n;

/**
 * Money enters as integer kopecks. A number is accepted only when it is a safe integer (JSON has no
 * bigint); fractions, negatives, zero and absurd sizes are refused with the field named.
 */
export function toKopecks(value: unknown, field: string, options: { allowNegative?: boolean } = {}): bigint {
  let amount: bigint;
  if (typeof value === 'bigint') amount = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) amount = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) amount = BigInt(value);
  else throw badRequest('amount_invalid', 'Amount must be an integer number of kopecks', field);
  if (amount === 0n) throw badRequest('amount_invalid', 'Amount must not be zero', field);
  if (amount < 0n && !options.allowNegative) throw badRequest('amount_invalid', 'Amount must be positive', field);
  if (amount > MAX_AMOUNT || amount < -MAX_AMOUNT) throw badRequest('amount_too_large', `Amount must not exceed ${MAX_AMOUNT} kopecks`, field);
  return amount;
}
