import { createTestDatabase, type TestDatabase } from '@app/kernel/testing';
import { randomUUID } from 'node:crypto';
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
 * Holds (hold, complete partly, void, expire) and velocity rules (on `own`: per wallet and per card)
 * are part of the model: a hold counts against balance, daily limit and velocity until released.
 */
type Product = 'meals' | 'own';
type Command =
  | { kind: 'credit'; account: number; product: Product; amount: number }
  | { kind: 'purchase'; account: number; shop: boolean; card: number; meals: number; own: number }
  | { kind: 'reverse'; purchase: number }
  | { kind: 'refund'; purchase: number; percent: number }
  | { kind: 'correct'; account: number; product: Product; amount: number }
  | { kind: 'transfer'; from: number; to: number; product: Product; amount: number }
  | { kind: 'block'; account: number; blocked: boolean }
  | { kind: 'hold'; account: number; product: Product; amount: number; card: number }
  | { kind: 'complete'; hold: number; percent: number }
  | { kind: 'void'; hold: number }
  | { kind: 'expire'; hold: number };

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
      card: fc.integer({ min: 0, max: 1 }),
      meals: fc.oneof(fc.constant(0), fc.integer({ min: 5_000, max: 35_000 })),
      own: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), purchase: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('refund' as const), purchase: fc.nat(20), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('correct' as const), account, product, amount: fc.integer({ min: -20_000, max: 20_000 }).filter((n) => n !== 0) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: account, to: account, product, amount: fc.integer({ min: 1, max: 30_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('block' as const), account, blocked: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), account, product, amount: fc.integer({ min: 1_000, max: 30_000 }), card: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), hold: fc.nat(10), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), hold: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), hold: fc.nat(10) }) },
);

// The programme's rules (fixture.ts): meals — 300 ₽ a purchase, 500 ₽ a day, balance at most 10 000 ₽.
const MEALS = { perOperation: 30_000, daily: 50_000, maxBalance: 1_000_000 };
// Velocity rules set on `own` here (an hour is longer than any run): per wallet 6 uses or 600 ₽, per card 4 uses.
const OWN_VELOCITY = { count: 6, amount: 60_000, perCard: 4 };

interface ModelAccount {
  id: string;
  blocked: boolean;
  balance: Record<Product, number>;
  dayDebit: Record<Product, number>;
  /** Two cards (identifier ids; velocity needs no bound card) and the uses of `own` made with each. */
  cards: [string, string];
  ownUses: Array<{ card: number | null; amount: number }>;
}
interface ModelHold {
  id: string;
  account: number;
  product: Product;
  amount: number;
  active: boolean;
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
/** A purchase or hold line: the debit rules and, on `own`, the velocity rules (per card when it names one). */
const canUse = (a: ModelAccount, p: Product, amount: number, card: number | null) =>
  canDebit(a, p, amount) &&
  (p !== 'own' ||
    (a.ownUses.length + 1 <= OWN_VELOCITY.count &&
      a.ownUses.reduce((s, u) => s + u.amount, 0) + amount <= OWN_VELOCITY.amount &&
      (card === null || a.ownUses.filter((u) => u.card === card).length + 1 <= OWN_VELOCITY.perCard)));
const canCredit = (a: ModelAccount, p: Product, amount: number) => p !== 'meals' || a.balance.meals + amount <= MEALS.maxBalance;

let database: TestDatabase<PrepaidDb>;
let ledger: Ledger;
let merchants: { canteen: string; shop: string };

beforeAll(async () => {
  database = await createTestDatabase<PrepaidDb>({ migrations: prepaidMigrations });
  ledger = new Ledger(database);
  merchants = await createProgramme(database.db);
  await sql`update products set velocity_window_seconds = 3600, velocity_count = ${OWN_VELOCITY.count}, velocity_amount = ${OWN_VELOCITY.amount},
            identifier_velocity_window_seconds = 3600, identifier_velocity_count = ${OWN_VELOCITY.perCard} where code = 'own'`.execute(database.db);
});
afterAll(() => database.close());

describe('ledger properties', () => {
  it('follows the model, keeps every invariant and verifies, for random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 40 }), async (commands) => {
        const accounts: ModelAccount[] = [];
        for (let i = 0; i < 2; i++) {
          const { id } = await newAccount(database.db);
          accounts.push({ id, blocked: false, balance: { meals: 0, own: 0 }, dayDebit: { meals: 0, own: 0 }, cards: [randomUUID(), randomUUID()], ownUses: [] });
        }
        const purchases: ModelPurchase[] = [];
        const holds: ModelHold[] = [];

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
            expected = lines.every((l) => (!c.shop || l.product === 'own') && canUse(a, l.product, l.amount, c.card));
            result = await ledger.purchase({
              key: key(),
              accountId: a.id,
              merchantId: c.shop ? merchants.shop : merchants.canteen,
              basket: lines.map(({ product, amount }) => ({ product, amount })),
              identifierId: a.cards[c.card],
            });
            const r = result;
            apply = () => {
              for (const l of lines) {
                a.balance[l.product] -= l.amount;
                a.dayDebit[l.product] += l.amount;
                if (l.product === 'own') a.ownUses.push({ card: c.card, amount: l.amount });
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
          } else if (c.kind === 'hold') {
            const a = accounts[c.account]!;
            expected = canUse(a, c.product, c.amount, c.card);
            result = await ledger.hold({ key: key(), accountId: a.id, merchantId: merchants.canteen, product: c.product, amount: c.amount, ttlSeconds: 3600, identifierId: a.cards[c.card] });
            const r = result;
            apply = () => {
              a.balance[c.product] -= c.amount;
              a.dayDebit[c.product] += c.amount;
              if (c.product === 'own') a.ownUses.push({ card: c.card, amount: c.amount });
              if (r.status === 'approved') holds.push({ id: r.operationId, account: c.account, product: c.product, amount: c.amount, active: true });
            };
          } else if (c.kind === 'complete' || c.kind === 'void') {
            const h = holds[c.hold % Math.max(holds.length, 1)];
            if (!h) continue;
            const a = accounts[h.account]!;
            const completed = c.kind === 'complete' ? Math.max(1, Math.floor((h.amount * c.percent) / 100)) : 0;
            // Neither is refused for limits or a blocked account: the hold was judged when it was made.
            expected = h.active;
            result = c.kind === 'complete' ? await ledger.completeHold({ key: key(), holdId: h.id, amount: completed }) : await ledger.voidHold({ key: key(), holdId: h.id });
            const r = result;
            apply = () => {
              const taken = c.kind === 'complete' ? completed : 0;
              a.balance[h.product] += h.amount - taken;
              a.dayDebit[h.product] = Math.max(0, a.dayDebit[h.product] - h.amount) + taken;
              h.active = false;
              if (c.kind === 'complete' && r.status === 'approved') purchases.push({ id: r.operationId, account: h.account, lines: [{ product: h.product, amount: taken, returned: 0 }], reversed: false });
            };
            if (!expected) expect(result).toMatchObject({ decline: { code: 'hold_not_active' } });
          } else if (c.kind === 'expire') {
            const h = holds[c.hold % Math.max(holds.length, 1)];
            if (!h) continue;
            const a = accounts[h.account]!;
            await sql`update holds set expires_at = now() - interval '1 second' where id = ${h.id}`.execute(database.db);
            // The job releases what is due; an already closed hold is not touched.
            const released = await ledger.expireDue();
            expect(released).toBe(h.active ? 1 : 0);
            if (h.active) {
              a.balance[h.product] += h.amount;
              a.dayDebit[h.product] = Math.max(0, a.dayDebit[h.product] - h.amount);
              h.active = false;
            }
            continue;
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
        const held = holds.filter((h) => h.active);
        const { rows: activeHolds } = await sql<{ n: number }>`select count(*)::int as n from holds where status = 'active' and account_id in (${sql.join(accounts.map((a) => a.id))})`.execute(database.db);
        expect(activeHolds[0]!.n).toBe(held.length);
        const report = await verifyLedger(database.db);
        expect(report.problems).toEqual([]);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
