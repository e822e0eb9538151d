import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountBlocked } from '../accounts/accounts.service.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
import { Ledger } from './ledger.service.js';
import { verifyLedger } from './verify.js';

/**
 * Random sequences of operations against a real database, checked step by step against a plain
 * in-memory model of the rules: every approval/decline as the model predicts, balances equal the
 * model's, every operation's postings sum to zero, no wallet below its minimum, verify passes.
 */
type Product = 'meals' | 'own';
type Command =
  | { kind: 'credit'; account: number; product: Product; amount: number }
  | { kind: 'purchase'; account: number; shop: boolean; meals: number; own: number }
  | { kind: 'reverse'; purchase: number }
  | { kind: 'refund'; purchase: number; percent: number }
  | { kind: 'correct'; account: number; product: Product; amount: number }
  | { kind: 'transfer'; from: number; to: number; product: Product; amount: number }
  | { kind: 'block'; account: number; blocked: boolean };

const product = fc.constantFrom<Product>('meals', 'own');
const account = fc.integer({ min: 0, max: 1 });
// Weighted so that limits, overdrafts and returns are actually reached within a short sequence.
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('credit' as const), account, product, amount: fc.integer({ min: 1, max: 120_000 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('purchase' as const),
      account,
      shop: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
      meals: fc.oneof(fc.constant(0), fc.integer({ min: 5_000, max: 35_000 })),
      own: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), purchase: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), purchase: fc.nat(20), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('correct' as const), account, product, amount: fc.integer({ min: -20_000, max: 20_000 }).filter((n) => n !== 0) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: account, to: account, product, amount: fc.integer({ min: 1, max: 30_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('block' as const), account, blocked: fc.boolean() }) },
);

// The programme's rules (fixture.ts): meals — 300 ₽ a purchase, 500 ₽ a day, balance at most 10 000 ₽.
const MEALS = { perOperation: 30_000, daily: 50_000, maxBalance: 1_000_000 };

interface ModelAccount {
  id: string;
  blocked: boolean;
  balance: Record<Product, number>;
  dayDebit: Record<Product, number>;
}
interface ModelPurchase {
  id: string;
  account: number;
  lines: Array<{ product: Product; amount: number; returned: number }>;
  reversed: boolean;
}

const canDebit = (a: ModelAccount, p: Product, amount: number) =>
  !a.blocked &&
  a.balance[p] - amount >= 0 &&
  (p !== 'meals' || (amount <= MEALS.perOperation && a.dayDebit.meals + amount <= MEALS.daily));
const canCredit = (a: ModelAccount, p: Product, amount: number) => p !== 'meals' || a.balance.meals + amount <= MEALS.maxBalance;

let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let merchants: { canteen: string; shop: string };

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  merchants = await createProgramme(database.db);
});
afterAll(() => database.close());

describe('ledger properties', () => {
  it('follows the model, keeps every invariant and verifies, for random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 40 }), async (commands) => {
        const accounts: ModelAccount[] = [];
        for (let i = 0; i < 2; i++) {
          const { id } = await newAccount(database.db);
          accounts.push({ id, blocked: false, balance: { meals: 0, own: 0 }, dayDebit: { meals: 0, own: 0 } });
        }
        const purchases: ModelPurchase[] = [];

        for (const c of commands) {
          let expected: boolean;
          let apply = () => {};
          let result;
          if (c.kind === 'credit') {
            const a = accounts[c.account]!;
            expected = canCredit(a, c.product, c.amount);
            apply = () => (a.balance[c.product] += c.amount);
            result = await ledger.credit({ key: key(), accountId: a.id, product: c.product, amount: c.amount });
          } else if (c.kind === 'purchase') {
            const a = accounts[c.account]!;
            const lines = (['meals', 'own'] as const).filter((p) => c[p] > 0).map((p) => ({ product: p, amount: c[p], returned: 0 }));
            if (lines.length === 0) continue;
            expected = lines.every((l) => (!c.shop || l.product === 'own') && canDebit(a, l.product, l.amount));
            result = await ledger.purchase({ key: key(), accountId: a.id, merchantId: c.shop ? merchants.shop : merchants.canteen, basket: lines.map(({ product, amount }) => ({ product, amount })) });
            const r = result;
            apply = () => {
              for (const l of lines) {
                a.balance[l.product] -= l.amount;
                a.dayDebit[l.product] += l.amount;
              }
              if (r.status === 'approved') purchases.push({ id: r.operationId, account: c.account, lines, reversed: false });
            };
          } else if (c.kind === 'reverse' || c.kind === 'refund') {
            const p = purchases[c.purchase % Math.max(purchases.length, 1)];
            if (!p) continue;
            const a = accounts[p.account]!;
            const give = p.lines.map((l) => ({ ...l, give: c.kind === 'reverse' ? l.amount : Math.floor(((l.amount - l.returned) * c.percent) / 100) }));
            expected = !p.reversed && (c.kind === 'reverse' ? p.lines.every((l) => l.returned === 0) : give.some((g) => g.give > 0));
            result =
              c.kind === 'reverse'
                ? await ledger.reverse({ key: key(), operationId: p.id })
                : await ledger.refund({ key: key(), operationId: p.id, items: give.filter((g) => g.give > 0).map((g) => ({ product: g.product, amount: g.give })) });
            apply = () => {
              for (const [i, g] of give.entries()) {
                a.balance[g.product] += g.give;
                a.dayDebit[g.product] = Math.max(0, a.dayDebit[g.product] - g.give);
                p.lines[i]!.returned += g.give;
              }
              if (c.kind === 'reverse') p.reversed = true;
            };
          } else if (c.kind === 'correct') {
            const a = accounts[c.account]!;
            expected = a.balance[c.product] + c.amount >= 0;
            apply = () => (a.balance[c.product] += c.amount);
            result = await ledger.correct({ key: key(), accountId: a.id, product: c.product, amount: c.amount, reason: 'property test', createdBy: 'test' });
          } else if (c.kind === 'transfer') {
            const from = accounts[c.from]!;
            const to = accounts[c.to]!;
            expected = c.from !== c.to && canDebit(from, c.product, c.amount) && canCredit(to, c.product, c.amount);
            apply = () => {
              from.balance[c.product] -= c.amount;
              from.dayDebit[c.product] += c.amount;
              to.balance[c.product] += c.amount;
            };
            result = await ledger.transfer({ key: key(), fromAccountId: from.id, toAccountId: to.id, product: c.product, amount: c.amount });
          } else {
            const a = accounts[c.account]!;
            await setAccountBlocked(database.db, a.id, c.blocked);
            a.blocked = c.blocked;
            continue;
          }
          expect({ command: c, status: result.status }).toEqual({ command: c, status: expected ? 'approved' : 'declined' });
          if (expected) apply();
        }

        for (const a of accounts) {
          const rows = await database.db.selectFrom('wallets').select(['product_code', 'balance', 'min_balance']).where('account_id', '=', a.id).execute();
          for (const w of rows) {
            expect(w.balance).toBe(BigInt(a.balance[w.product_code as Product]));
            expect(w.balance >= w.min_balance).toBe(true);
          }
        }
        const { rows: unbalanced } = await sql`select operation_id from postings group by operation_id having sum(amount) <> 0`.execute(database.db);
        expect(unbalanced).toEqual([]);
        const report = await verifyLedger(database.db);
        expect(report.problems).toEqual([]);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
