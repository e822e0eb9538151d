/**
 * Why a debit or credit of a wallet cannot be made. The database applies the same rules in one
 * conditional UPDATE (ledger.repo.ts); this pure version explains a refused UPDATE with a stable code
 * and is what the tests check the rules against.
 */
/** Debit limits keep their short names (terminals already know them); credit limits say so. */
export type Limit = 'per_operation' | 'daily' | 'monthly' | 'max_balance' | 'credit_per_operation' | 'daily_credit' | 'monthly_credit';
/** Velocity rules (migration 0014): per wallet (the product's or the wallet's own) and per identifier. */
export type VelocityLimit = 'velocity_count' | 'velocity_amount' | 'identifier_velocity_count' | 'identifier_velocity_amount';

export interface VelocityUsage {
  scope: 'wallet' | 'identifier';
  windowSeconds: number;
  maxCount: number | null;
  maxAmount: bigint | null;
  /** Debits within the window so far (of this identifier, for its scope). */
  usedCount: number;
  usedAmount: bigint;
}

export type Decline =
  | { code: 'insufficient_funds'; product: string; available: bigint }
  | { code: 'limit_exceeded'; product: string; limit: Limit; remaining: bigint }
  /** `remaining`: purchases left in the window for a count rule, kopecks for an amount rule. */
  | { code: 'velocity_exceeded'; product: string; limit: VelocityLimit; windowSeconds: number; remaining: bigint }
  | { code: 'hold_not_found' | 'hold_expired' | 'terminal_not_allowed' }
  | { code: 'hold_not_active'; holdStatus: string }
  | { code: 'completion_exceeds_hold'; remaining: bigint }
  | { code: 'account_blocked' | 'account_closed' | 'wallet_not_found' | 'product_not_accepted' | 'merchant_blocked' | 'merchant_not_found'; product?: string }
  | { code: 'operation_not_found' | 'not_a_purchase' | 'already_reversed' | 'refund_exceeds_purchase' | 'same_wallet' };

export interface WalletState {
  product: string;
  accountStatus: 'open' | 'blocked' | 'closed';
  balance: bigint;
  minBalance: bigint;
  /** Effective limits: the stricter of the product's and the account's; null = none. */
  maxBalance: bigint | null;
  perOperationLimit: bigint | null;
  dailyDebitLimit: bigint | null;
  monthlyDebitLimit: bigint | null;
  creditPerOperationLimit: bigint | null;
  dailyCreditLimit: bigint | null;
  monthlyCreditLimit: bigint | null;
  /** Debits and credits so far today and this month (already reset when the day or month changed). */
  dayDebit: bigint;
  monthDebit: bigint;
  dayCredit: bigint;
  monthCredit: bigint;
  /** The velocity rules that apply to this debit, with their use so far; empty when none do. */
  velocity: VelocityUsage[];
}

export const stricter = (a: bigint | null, b: bigint | null) => (a === null ? b : b === null ? a : a < b ? a : b);

export function debitDecline(w: WalletState, amount: bigint): Decline | null {
  if (w.accountStatus === 'closed') return { code: 'account_closed', product: w.product };
  if (w.accountStatus === 'blocked') return { code: 'account_blocked', product: w.product };
  if (w.perOperationLimit !== null && amount > w.perOperationLimit) {
    return { code: 'limit_exceeded', product: w.product, limit: 'per_operation', remaining: w.perOperationLimit };
  }
  if (w.dailyDebitLimit !== null && w.dayDebit + amount > w.dailyDebitLimit) {
    return { code: 'limit_exceeded', product: w.product, limit: 'daily', remaining: max0(w.dailyDebitLimit - w.dayDebit) };
  }
  if (w.monthlyDebitLimit !== null && w.monthDebit + amount > w.monthlyDebitLimit) {
    return { code: 'limit_exceeded', product: w.product, limit: 'monthly', remaining: max0(w.monthlyDebitLimit - w.monthDebit) };
  }
  const velocity = velocityDecline(w.product, w.velocity, amount);
  if (velocity) return velocity;
  if (w.balance - amount < w.minBalance) return { code: 'insufficient_funds', product: w.product, available: max0(w.balance - w.minBalance) };
  return null;
}

/** The first velocity rule one more debit of `amount` would break (count before amount, wallet before identifier). */
export function velocityDecline(product: string, rules: VelocityUsage[], amount: bigint): Decline | null {
  for (const r of rules) {
    const prefix = r.scope === 'identifier' ? 'identifier_' : '';
    if (r.maxCount !== null && r.usedCount + 1 > r.maxCount) {
      return { code: 'velocity_exceeded', product, limit: `${prefix}velocity_count` as VelocityLimit, windowSeconds: r.windowSeconds, remaining: max0(BigInt(r.maxCount - r.usedCount)) };
    }
    if (r.maxAmount !== null && r.usedAmount + amount > r.maxAmount) {
      return { code: 'velocity_exceeded', product, limit: `${prefix}velocity_amount` as VelocityLimit, windowSeconds: r.windowSeconds, remaining: max0(r.maxAmount - r.usedAmount) };
    }
  }
  return null;
}

/**
 * New money into a wallet (a credit, the receiving side of a transfer). Money going back from a
 * merchant (reversal, refund) is not judged here: it undoes a debit and is never refused for limits.
 * A blocked account still receives credits: blocking stops spending, not funding.
 */
export function creditDecline(w: WalletState, amount: bigint): Decline | null {
  if (w.accountStatus === 'closed') return { code: 'account_closed', product: w.product };
  if (w.creditPerOperationLimit !== null && amount > w.creditPerOperationLimit) {
    return { code: 'limit_exceeded', product: w.product, limit: 'credit_per_operation', remaining: w.creditPerOperationLimit };
  }
  if (w.dailyCreditLimit !== null && w.dayCredit + amount > w.dailyCreditLimit) {
    return { code: 'limit_exceeded', product: w.product, limit: 'daily_credit', remaining: max0(w.dailyCreditLimit - w.dayCredit) };
  }
  if (w.monthlyCreditLimit !== null && w.monthCredit + amount > w.monthlyCreditLimit) {
    return { code: 'limit_exceeded', product: w.product, limit: 'monthly_credit', remaining: max0(w.monthlyCreditLimit - w.monthCredit) };
  }
  if (w.maxBalance !== null && w.balance + amount > w.maxBalance) {
    return { code: 'limit_exceeded', product: w.product, limit: 'max_balance', remaining: max0(w.maxBalance - w.balance) };
  }
  return null;
}

const max0 = (n: bigint) => (n > 0n ? n : 0n);
