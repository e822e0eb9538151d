import { describe, expect, it } from 'vitest';
import { toKopecks } from './amount.js';
import { creditDecline, debitDecline, type WalletState } from './limits.js';
import { closePostings, correctionPostings, creditPostings, purchasePostings, returnPostings, sumOf, transferPostings } from './postings.js';

const wallet = (over: Partial<WalletState> = {}): WalletState => ({
  product: 'meals',
  accountStatus: 'open',
  balance: 10_000n,
  minBalance: 0n,
  maxBalance: null,
  perOperationLimit: null,
  dailyDebitLimit: null,
  monthlyDebitLimit: null,
  creditPerOperationLimit: null,
  dailyCreditLimit: null,
  monthlyCreditLimit: null,
  dayDebit: 0n,
  monthDebit: 0n,
  dayCredit: 0n,
  monthCredit: 0n,
  velocity: [],
  ...over,
});

describe('postings of every operation type sum to zero', () => {
  const line = { wallet: 1n, product: 'meals', amount: 250n };
  it.each([
    ['credit', creditPostings(line)],
    ['purchase', purchasePostings('m', [line, { wallet: 2n, product: 'own', amount: 99n }])],
    ['refund', returnPostings('m', [line])],
    ['correction (negative)', correctionPostings({ ...line, amount: -40n })],
    ['transfer', transferPostings(line, { ...line, wallet: 2n })],
    ['close with a negative remainder', closePostings('writeoff', [line, { wallet: 2n, product: 'own', amount: -70n }, { wallet: 3n, product: 'x', amount: 0n }])],
  ])('%s', (_name, postings) => {
    expect(sumOf(postings)).toBe(0n);
    expect(postings.every((p) => p.amount !== 0n)).toBe(true);
  });
});

describe('debit rules', () => {
  it.each([
    ['within balance', wallet(), 10_000n, null],
    ['over the balance', wallet(), 10_001n, { code: 'insufficient_funds', available: 10_000n }],
    ['into an allowed overdraft', wallet({ minBalance: -500n }), 10_400n, null],
    ['over the per-operation limit', wallet({ perOperationLimit: 300n }), 301n, { code: 'limit_exceeded', limit: 'per_operation' }],
    ['over the daily limit given today so far', wallet({ dailyDebitLimit: 1000n, dayDebit: 800n }), 201n, { code: 'limit_exceeded', limit: 'daily', remaining: 200n }],
    ['exactly the daily limit', wallet({ dailyDebitLimit: 1000n, dayDebit: 800n }), 200n, null],
    ['over the monthly limit', wallet({ monthlyDebitLimit: 5000n, monthDebit: 5000n }), 1n, { code: 'limit_exceeded', limit: 'monthly', remaining: 0n }],
    ['from a blocked account', wallet({ accountStatus: 'blocked' }), 1n, { code: 'account_blocked' }],
    ['from a closed account', wallet({ accountStatus: 'closed' }), 1n, { code: 'account_closed' }],
  ])('%s', (_name, state, amount, expected) => {
    const decline = debitDecline(state, amount);
    if (expected === null) expect(decline).toBeNull();
    else expect(decline).toMatchObject(expected);
  });

});

describe('credit rules', () => {
  it.each([
    ['within every limit', wallet(), 1_000n, null],
    ['past the maximum balance', wallet({ maxBalance: 10_500n }), 501n, { code: 'limit_exceeded', limit: 'max_balance', remaining: 500n }],
    ['up to the maximum balance exactly', wallet({ maxBalance: 10_500n }), 500n, null],
    ['over the per-credit limit', wallet({ creditPerOperationLimit: 5_000n }), 5_001n, { code: 'limit_exceeded', limit: 'credit_per_operation', remaining: 5_000n }],
    ['over the daily credit limit given today so far', wallet({ dailyCreditLimit: 3_000n, dayCredit: 2_500n }), 501n, { code: 'limit_exceeded', limit: 'daily_credit', remaining: 500n }],
    ['exactly the daily credit limit', wallet({ dailyCreditLimit: 3_000n, dayCredit: 2_500n }), 500n, null],
    ['over the monthly credit limit', wallet({ monthlyCreditLimit: 9_000n, monthCredit: 9_500n }), 1n, { code: 'limit_exceeded', limit: 'monthly_credit', remaining: 0n }],
    ['into a blocked account (blocking stops spending, not funding)', wallet({ accountStatus: 'blocked' }), 1n, null],
    ['into a closed account', wallet({ accountStatus: 'closed' }), 1n, { code: 'account_closed' }],
  ])('%s', (_name, state, amount, expected) => {
    const decline = creditDecline(state, amount);
    if (expected === null) expect(decline).toBeNull();
    else expect(decline).toMatchObject(expected);
  });
});

describe('amounts', () => {
  it.each([[100, 100n], ['250', 250n], [9_999_999_999n, 9_999_999_999n]])('accepts %s kopecks', (input, expected) => {
    expect(toKopecks(input, 'amount')).toBe(expected);
  });
  it.each([[1.5], [-1], [0], ['12.30'], ['1e3'], [Number.MAX_SAFE_INTEGER + 2], [null], [{}], [10_000_000_001n]])('refuses %s with the field named', (input) => {
    expect(() => toKopecks(input, 'basket/0/amount')).toThrow(expect.objectContaining({ status: 400, extra: expect.objectContaining({ field: 'basket/0/amount' }) }));
  });
  it('accepts a negative amount only where asked (corrections)', () => {
    expect(toKopecks(-500, 'amount', { allowNegative: true })).toBe(-500n);
  });
});
