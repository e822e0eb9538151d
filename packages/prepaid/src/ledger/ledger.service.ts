import { createHash } from 'node:crypto';
import { badRequest, conflict, type Database } from '@app/kernel';
import { sql } from 'kysely';
import type { OperationType, PrepaidDb } from '../tables.js';
import { toKopecks } from './amount.js';
import * as holds from '../holds/holds.repo.js';
import * as repo from './ledger.repo.js';
import { creditDecline, debitDecline, type Decline, type WalletState } from './limits.js';
import {
  closePostings,
  correctionPostings,
  creditPostings,
  holdPostings,
  releasePostings,
  purchasePostings,
  returnPostings,
  sumOf,
  transferPostings,
  type Line,
  type PostingDraft,
} from './postings.js';

/**
 * The ledger's use cases, one database transaction each.
 *
 * Invariants — the database enforces those marked (db), verify.ts re-checks all of them, the tests assert them:
 *   I1 (db) the postings of every operation sum to zero, and each carries its wallet's or ledger account's product;
 *   I2 every wallet's balance equals the sum of its postings;
 *   I3 (db) no wallet is below its minimum balance, under any concurrency;
 *   I4 (db) operations and postings are never updated, deleted or truncated: a correction is a new operation;
 *   I5 an operation's amount is the sum of its positive postings;
 *   I6 a purchase gives back (reversal, refunds) at most what it took, per wallet, and is reversed at most once;
 *   I7 a product's funding account never holds a positive balance, a merchant's account never a negative one;
 *   I8 (db) a closed account's wallets are closed and empty, and take no more money;
 *   I9 every operation with wallet postings is a link of its lowest wallet's hash chain (migration 0012), whose
 *      hashes still match the operation and its postings: an edit behind the ledger's back is named by verify;
 *   I10 a product's holds account holds exactly the sum of its active holds; a hold is closed at most once
 *      (completed, voided or expired), and a completion takes at most the held amount;
 *   I11 a ledger account's rolled-up balance equals the sum of its postings up to the roll-up mark (rollup.ts).
 *
 * Lock order, on every path: a hold row, then wallet rows in id order; an account row only FOR NO KEY UPDATE.
 *
 * Every call carries an idempotency key: a replay of the same request returns the first answer
 * (approval or decline), a different request under a used key is refused with `idempotency_conflict`.
 */
export interface Balance {
  product: string;
  balance: bigint;
}

/** What a hold answer carries besides the operation (as stored under the idempotency key: plain strings). */
export interface HoldInfo {
  id: string;
  status: holds.HoldStatus;
  amount: string;
  expiresAt: string;
}

export type LedgerResult =
  | { status: 'approved'; operationId: string; seq: bigint; type: OperationType; amount: bigint; balances: Balance[]; hold?: HoldInfo }
  | { status: 'declined'; decline: Decline };

export interface BasketLine {
  product: string;
  amount: bigint | number | string;
}

export const MAX_BASKET_LINES = 20;
/** Longest a hold may live before it expires: a week (a hotel stay, a fuel card's longest pre-authorization). */
export const MAX_HOLD_TTL_SECONDS = 7 * 86_400;

class Declined extends Error {
  constructor(readonly decline: Decline) {
    super(decline.code);
  }
}
class KeyTakenMeanwhile extends Error {}

export class Ledger {
  private readonly system: repo.SystemAccounts;

  constructor(private readonly database: Database<PrepaidDb>) {
    this.system = new repo.SystemAccounts(database.db);
  }

  async credit(req: { key: string; accountId: string; product: string; amount: bigint | number | string; createdBy?: string }): Promise<LedgerResult> {
    const amount = toKopecks(req.amount, 'amount');
    return this.run('credit', req.key, { ...req, amount }, async (trx) => {
      const wallet = await this.wallet(trx, req.accountId, req.product);
      const balance = await repo.creditWallet(trx, wallet.id, amount, { limits: true });
      if (balance === null) throw new Declined(creditDecline(await repo.walletState(trx, wallet.id), amount) ?? { code: 'account_closed' });
      return this.journal(trx, { type: 'credit', accountId: req.accountId, amount, createdBy: req.createdBy }, creditPostings({ wallet: wallet.id, product: req.product, amount }), [
        { product: req.product, balance },
      ]);
    }, [{ target: { system: 'funding' }, product: req.product, amount }]);
  }

  /** `fingerprint` replaces the digest of the request for idempotency (the POS API digests what the terminal sent). */
  /**
   * `offline`: a purchase the terminal authorized offline and uploads now — debited under the offline rule
   * (debit.sql.ts `offlineDebitAllowed`), with the time it happened and the terminal's transaction id in
   * the operation's details.
   */
  async purchase(req: {
    key: string;
    accountId: string;
    merchantId: string;
    terminalId?: string;
    basket: BasketLine[];
    fingerprint?: string;
    offline?: { at: Date; transactionId: string };
    /** The card (or QR, …) the purchase was made with: its velocity rule applies. None when made by account. */
    identifierId?: string | null;
  }): Promise<LedgerResult> {
    if (req.basket.length === 0) throw badRequest('basket_empty', 'The basket has no lines', 'basket');
    if (req.basket.length > MAX_BASKET_LINES) throw badRequest('basket_too_large', `At most ${MAX_BASKET_LINES} lines`, 'basket');
    const basket = req.basket.map((l, i) => ({ product: l.product, amount: toKopecks(l.amount, `basket/${i}/amount`) }));
    if (new Set(basket.map((l) => l.product)).size !== basket.length) throw badRequest('basket_duplicate_product', 'Each product may appear once in a basket', 'basket');
    const total = basket.reduce((s, l) => s + l.amount, 0n);
    const drafts = basket.map((l) => ({ target: { merchant: req.merchantId }, product: l.product, amount: l.amount }));
    const { fingerprint, ...request } = req;
    return this.run('purchase', req.key, fingerprint ?? { ...request, basket }, async (trx) => {
      const accepted = await this.acceptedBy(trx, req.merchantId);
      const lines: Line[] = [];
      for (const l of basket) {
        if (!accepted.has(l.product)) throw new Declined({ code: 'product_not_accepted', product: l.product });
        lines.push({ wallet: (await this.wallet(trx, req.accountId, l.product)).id, product: l.product, amount: l.amount });
      }
      // Wallets are locked in id order: two baskets over the same wallets cannot deadlock.
      lines.sort((a, b) => (a.wallet < b.wallet ? -1 : 1));
      const balances: Balance[] = [];
      for (const line of lines) {
        const velocity = { identifierId: req.identifierId ?? null };
        const balance = req.offline ? await repo.debitWalletOffline(trx, line.wallet, line.amount) : await repo.debitWallet(trx, line.wallet, line.amount, velocity);
        if (balance === null) {
          const state = await repo.walletState(trx, line.wallet, req.offline ? undefined : velocity);
          throw new Declined((req.offline ? offlineDebitDecline(state) : debitDecline(state, line.amount)) ?? { code: 'insufficient_funds', product: line.product, available: 0n });
        }
        balances.push({ product: line.product, balance });
      }
      const details = req.offline ? { offline: true, at: req.offline.at.toISOString(), transactionId: req.offline.transactionId } : undefined;
      return this.journal(trx, { type: 'purchase', accountId: req.accountId, merchantId: req.merchantId, terminalId: req.terminalId, amount: total, details }, purchasePostings(req.merchantId, lines), balances);
    }, drafts);
  }

  /**
   * Holds an amount of one product (a pre-authorization): judged like a one-line purchase — balance, minimum,
   * every debit limit, velocity — and taken out of the wallet into the holds account until it is completed,
   * voided or expires after `ttlSeconds`. The answer's operationId is the hold's id.
   */
  async hold(req: {
    key: string;
    accountId: string;
    merchantId: string;
    terminalId?: string;
    product: string;
    amount: bigint | number | string;
    ttlSeconds: number;
    identifierId?: string | null;
    fingerprint?: string;
  }): Promise<LedgerResult> {
    const amount = toKopecks(req.amount, 'amount');
    if (!Number.isInteger(req.ttlSeconds) || req.ttlSeconds < 1 || req.ttlSeconds > MAX_HOLD_TTL_SECONDS) {
      throw badRequest('ttl_invalid', `A hold lives 1–${MAX_HOLD_TTL_SECONDS} seconds`, 'ttlSeconds');
    }
    const { fingerprint, ...request } = req;
    // A card refused for funds may be held up by its own expired holds: give those back first (lazy expiry,
    // only on this path and only for this account, so it costs nothing when the card has none).
    await this.expireDue(req.accountId);
    return this.run('hold', req.key, fingerprint ?? { ...request, amount }, async (trx) => {
      const accepted = await this.acceptedBy(trx, req.merchantId);
      if (!accepted.has(req.product)) throw new Declined({ code: 'product_not_accepted', product: req.product });
      const wallet = await this.wallet(trx, req.accountId, req.product);
      const velocity = { identifierId: req.identifierId ?? null };
      const balance = await repo.debitWallet(trx, wallet.id, amount, velocity);
      if (balance === null) throw new Declined(debitDecline(await repo.walletState(trx, wallet.id, velocity), amount) ?? { code: 'insufficient_funds', product: req.product, available: 0n });
      const line = { wallet: wallet.id, product: req.product, amount };
      const result = await this.journal(trx, { type: 'hold', accountId: req.accountId, merchantId: req.merchantId, terminalId: req.terminalId, amount }, holdPostings(line), [
        { product: req.product, balance },
      ]);
      const expiresAt = await holds.insertHold(trx, {
        id: result.operationId,
        accountId: req.accountId,
        walletId: wallet.id,
        product: req.product,
        merchantId: req.merchantId,
        terminalId: req.terminalId ?? null,
        amount,
        ttlSeconds: req.ttlSeconds,
      });
      return { ...result, hold: { id: result.operationId, status: 'active', amount: amount.toString(), expiresAt: expiresAt.toISOString() } };
    }, [{ target: { system: 'holds' }, product: req.product, amount }]);
  }

  /**
   * Completes a hold with `amount` (default: all of it, never more): the hold is released and a purchase of the
   * amount posted, in one transaction. Of concurrent completions (and a void or the expiry job) exactly one
   * wins — the conditional UPDATE of closeHold; the others are declined `hold_not_active`. The answer's
   * operationId is the purchase's (what a refund or reversal names later).
   */
  async completeHold(req: { key: string; holdId: string; amount?: bigint | number | string; terminalId?: string; createdBy?: string }): Promise<LedgerResult> {
    const amount = req.amount === undefined ? null : toKopecks(req.amount, 'amount');
    const result = await this.closing('completion', req.key, { holdId: req.holdId, amount }, req.holdId, async (trx) => {
      const hold = await holds.closeHold(trx, req.holdId, 'completed', amount, 'live');
      if (!hold) throw new Declined(await this.explainHold(trx, req.holdId, amount));
      const completed = amount ?? hold.amount;
      const release = await this.release(trx, hold, 'completion', req.terminalId, req.createdBy);
      const balance = await repo.captureWallet(trx, hold.walletId, completed);
      if (balance === null) throw new Declined({ code: 'account_closed', product: hold.product });
      const purchase = await this.journal(
        trx,
        { type: 'purchase', accountId: hold.accountId, merchantId: hold.merchantId, terminalId: req.terminalId, amount: completed, createdBy: req.createdBy, details: { holdId: hold.id } },
        purchasePostings(hold.merchantId, [{ wallet: hold.walletId, product: hold.product, amount: completed }]),
        [{ product: hold.product, balance }],
      );
      await holds.recordHoldOperations(trx, hold.id, release.operationId, purchase.operationId);
      return { ...purchase, hold: { id: hold.id, status: 'completed', amount: hold.amount.toString(), expiresAt: hold.expiresAt.toISOString() } };
    });
    return result;
  }

  /** Voids a hold: the whole amount back to the wallet (and to its day's and month's debit totals). */
  async voidHold(req: { key: string; holdId: string; terminalId?: string; createdBy?: string }): Promise<LedgerResult> {
    return this.closing('void', req.key, { holdId: req.holdId }, req.holdId, async (trx) => {
      const hold = await holds.closeHold(trx, req.holdId, 'voided', null, 'live');
      if (!hold) throw new Declined(await this.explainHold(trx, req.holdId, null));
      const release = await this.release(trx, hold, 'void', req.terminalId, req.createdBy);
      await holds.recordHoldOperations(trx, hold.id, release.operationId, null);
      return { ...release, hold: { id: hold.id, status: 'voided', amount: hold.amount.toString(), expiresAt: hold.expiresAt.toISOString() } };
    });
  }

  /** Releases a hold past its expiry (the `holds.expire` job, and lazily when a terminal meets one). Once per hold. */
  async expireHold(holdId: string, createdBy = 'job:holds.expire'): Promise<LedgerResult> {
    return this.closing('expiry', `hold-expiry:${holdId}`, { holdId }, holdId, async (trx) => {
      const hold = await holds.closeHold(trx, holdId, 'expired', null, 'past');
      if (!hold) throw new Declined(await this.explainHold(trx, holdId, null));
      const release = await this.release(trx, hold, 'expiry', undefined, createdBy);
      await holds.recordHoldOperations(trx, hold.id, release.operationId, null);
      return { ...release, hold: { id: hold.id, status: 'expired', amount: hold.amount.toString(), expiresAt: hold.expiresAt.toISOString() } };
    });
  }

  /** Expires what is due (all, or one account's); how many holds were released. */
  async expireDue(accountId?: string, limit = 500): Promise<number> {
    let released = 0;
    for (const id of await holds.expiredHolds(this.database.db, limit, accountId)) {
      if ((await this.expireHold(id, accountId ? 'lazy-expiry' : 'job:holds.expire')).status === 'approved') released++;
    }
    return released;
  }

  /** The idempotent envelope of closing a hold; a terminal that meets an expired hold releases it on the spot. */
  private async closing(kind: 'completion' | 'void' | 'expiry', key: string, request: unknown, holdId: string, work: (trx: repo.Tx) => Promise<LedgerResult & { status: 'approved' }>) {
    const known = await holds.findHold(this.database.db, holdId);
    const drafts: PostingDraft[] = known ? [{ target: { system: 'holds' }, product: known.product, amount: 1n }, { target: { merchant: known.merchantId }, product: known.product, amount: 1n }] : [];
    const result = await this.run(`hold_${kind}`, key, request, work, drafts);
    if (kind !== 'expiry' && result.status === 'declined' && result.decline.code === 'hold_expired') await this.expireHold(holdId, 'lazy-expiry');
    return result;
  }

  private async release(trx: repo.Tx, hold: holds.HoldRow, reason: 'completion' | 'void' | 'expiry' | 'account_closed', terminalId: string | undefined, createdBy: string | undefined) {
    // Money going back is never refused for limits; the day's and month's debit totals of the hold's day get it back.
    const balance = await repo.creditWallet(trx, hold.walletId, hold.amount, { limits: false, undoDebitOf: hold.id });
    if (balance === null) throw new Declined({ code: 'account_closed', product: hold.product });
    return this.journal(
      trx,
      { type: 'hold_release', accountId: hold.accountId, merchantId: hold.merchantId, terminalId, originalOperationId: hold.id, amount: hold.amount, createdBy, details: { reason } },
      releasePostings({ wallet: hold.walletId, product: hold.product, amount: hold.amount }),
      [{ product: hold.product, balance }],
    );
  }

  /** Why a hold could not be closed: it does not exist, is closed already, has expired, or is smaller than asked. */
  private async explainHold(trx: repo.Tx, holdId: string, amount: bigint | null): Promise<Decline> {
    const hold = await holds.findHold(trx, holdId);
    if (!hold) return { code: 'hold_not_found' };
    if (hold.status !== 'active') return { code: 'hold_not_active', holdStatus: hold.status };
    if (amount !== null && amount > hold.amount) return { code: 'completion_exceeds_hold', remaining: hold.amount };
    // The database's clock decided (closeHold compares with now()), so it is asked again here, not this process's.
    const { rows } = await sql<{ expired: boolean }>`select expires_at <= now() as expired from holds where id = ${holdId}`.execute(trx);
    return rows[0]?.expired ? { code: 'hold_expired' } : { code: 'hold_not_active', holdStatus: hold.status };
  }

  /** The products a merchant takes; declines a merchant that is unknown or blocked. */
  private async acceptedBy(trx: repo.Tx, merchantId: string) {
    const merchant = await trx.selectFrom('merchants').select('status').where('id', '=', merchantId).executeTakeFirst();
    if (!merchant) throw new Declined({ code: 'merchant_not_found' });
    if (merchant.status !== 'active') throw new Declined({ code: 'merchant_blocked' });
    return new Set((await trx.selectFrom('merchant_products').select('product_code').where('merchant_id', '=', merchantId).execute()).map((r) => r.product_code));
  }

  /** Cancels a whole purchase (same day at the till, or a failed delivery): every line back. */
  async reverse(req: { key: string; operationId: string; createdBy?: string; terminalId?: string }): Promise<LedgerResult> {
    return this.returnToWallets('reversal', req.key, req, req.operationId, null, req.createdBy, req.terminalId);
  }

  /** Gives back all or part of a purchase, per product; never more than was taken minus earlier refunds. */
  async refund(req: { key: string; operationId: string; items?: BasketLine[]; createdBy?: string; terminalId?: string }): Promise<LedgerResult> {
    const items = req.items?.map((l, i) => ({ product: l.product, amount: toKopecks(l.amount, `items/${i}/amount`) })) ?? null;
    // Each line is checked against what is left of its product; a product named twice would be checked twice against the same remainder.
    if (items && new Set(items.map((l) => l.product)).size !== items.length) throw badRequest('items_duplicate_product', 'Each product may appear once in a refund', 'items');
    return this.returnToWallets('refund', req.key, { ...req, items }, req.operationId, items, req.createdBy, req.terminalId);
  }

  private async returnToWallets(
    type: 'reversal' | 'refund',
    key: string,
    request: unknown,
    purchaseId: string,
    items: Array<{ product: string; amount: bigint }> | null,
    createdBy: string | undefined,
    terminalId: string | undefined,
  ): Promise<LedgerResult> {
    const original = await this.database.db.selectFrom('operations').select(['merchant_id', 'type']).where('id', '=', purchaseId).executeTakeFirst();
    const merchantId = original?.merchant_id ?? null;
    const products = items?.map((i) => i.product) ?? (await this.database.db.selectFrom('postings').select('product_code').where('operation_id', '=', purchaseId).execute()).map((r) => r.product_code);
    const drafts: PostingDraft[] = merchantId ? products.map((product) => ({ target: { merchant: merchantId }, product, amount: 1n })) : [];
    return this.run(type, key, request, async (trx) => {
      const purchase = await repo.lockOperation(trx, purchaseId);
      if (!purchase) throw new Declined({ code: 'operation_not_found' });
      if (purchase.type !== 'purchase' || !purchase.merchant_id) throw new Declined({ code: 'not_a_purchase' });
      const taken = await repo.purchaseBalance(trx, purchaseId);
      if (taken.some((t) => t.reversed)) throw new Declined({ code: 'already_reversed' });
      let lines: Line[];
      if (type === 'reversal') {
        if (taken.some((t) => t.returned > 0n)) throw new Declined({ code: 'refund_exceeds_purchase' });
        lines = taken.map((t) => ({ wallet: t.walletId, product: t.product, amount: t.taken }));
      } else {
        const wanted = items ?? taken.map((t) => ({ product: t.product, amount: t.taken - t.returned }));
        lines = [];
        for (const w of wanted) {
          const line = taken.find((t) => t.product === w.product);
          if (!line || w.amount > line.taken - line.returned) throw new Declined({ code: 'refund_exceeds_purchase' });
          if (w.amount > 0n) lines.push({ wallet: line.walletId, product: w.product, amount: w.amount });
        }
        if (lines.length === 0) throw new Declined({ code: 'refund_exceeds_purchase' });
      }
      const balances: Balance[] = [];
      for (const line of lines) {
        // Money going back is never refused for limits; only a closed account stops it (claims handle those).
        const balance = await repo.creditWallet(trx, line.wallet, line.amount, { limits: false, undoDebitOf: purchaseId });
        if (balance === null) throw new Declined({ code: 'account_closed', product: line.product });
        balances.push({ product: line.product, balance });
      }
      const amount = lines.reduce((s, l) => s + l.amount, 0n);
      return this.journal(
        trx,
        { type, accountId: purchase.account_id, merchantId: purchase.merchant_id, terminalId, originalOperationId: purchaseId, amount, createdBy },
        returnPostings(purchase.merchant_id, lines),
        balances,
      );
    }, drafts);
  }

  /** A staff correction: a signed amount with a reason, a new operation (nothing is edited). */
  async correct(req: { key: string; accountId: string; product: string; amount: bigint | number | string; reason: string; createdBy: string }): Promise<LedgerResult> {
    const amount = toKopecks(req.amount, 'amount', { allowNegative: true });
    if (!req.reason.trim()) throw badRequest('reason_required', 'A correction needs a reason', 'reason');
    return this.run('correction', req.key, { ...req, amount }, async (trx) => {
      const wallet = await this.wallet(trx, req.accountId, req.product);
      const balance = await repo.adjustWallet(trx, wallet.id, amount);
      if (balance === null) {
        const state = await repo.walletState(trx, wallet.id);
        throw new Declined(state.accountStatus === 'closed' ? { code: 'account_closed' } : { code: 'insufficient_funds', product: req.product, available: state.balance - state.minBalance });
      }
      return this.journal(
        trx,
        { type: 'correction', accountId: req.accountId, amount: amount < 0n ? -amount : amount, createdBy: req.createdBy, details: { reason: req.reason, signedAmount: amount.toString() } },
        correctionPostings({ wallet: wallet.id, product: req.product, amount }),
        [{ product: req.product, balance }],
      );
    }, [{ target: { system: 'correction' }, product: req.product, amount }]);
  }

  /** Moves money between two wallets of the same product (subsidies never turn into own funds). */
  async transfer(req: { key: string; fromAccountId: string; toAccountId: string; product: string; amount: bigint | number | string; createdBy?: string }): Promise<LedgerResult> {
    const amount = toKopecks(req.amount, 'amount');
    return this.run('transfer', req.key, { ...req, amount }, async (trx) => {
      const from = await this.wallet(trx, req.fromAccountId, req.product);
      const to = await this.wallet(trx, req.toAccountId, req.product);
      if (from.id === to.id) throw new Declined({ code: 'same_wallet' });
      const steps = [
        { id: from.id, apply: async () => repo.debitWallet(trx, from.id, amount), explain: async () => debitDecline(await repo.walletState(trx, from.id), amount) },
        { id: to.id, apply: async () => repo.creditWallet(trx, to.id, amount, { limits: true }), explain: async () => creditDecline(await repo.walletState(trx, to.id), amount) },
      ].sort((a, b) => (a.id < b.id ? -1 : 1));
      for (const step of steps) if ((await step.apply()) === null) throw new Declined((await step.explain()) ?? { code: 'account_closed' });
      const balances = await repo.walletsOfAccount(trx, req.fromAccountId);
      return this.journal(
        trx,
        { type: 'transfer', accountId: req.fromAccountId, amount, createdBy: req.createdBy, details: { toAccountId: req.toAccountId } },
        transferPostings({ wallet: from.id, product: req.product, amount }, { wallet: to.id, product: req.product, amount }),
        balances.filter((w) => w.id === from.id).map((w) => ({ product: w.product, balance: w.balance })),
      );
    });
  }

  /** Closes an account: every wallet's remainder goes out (returned to the client or written off), then nothing more is accepted. */
  async close(req: { key: string; accountId: string; disposition: 'returned' | 'writeoff'; createdBy: string }): Promise<LedgerResult> {
    const products = (await this.database.db.selectFrom('wallets').select('product_code').where('account_id', '=', req.accountId).execute()).map((r) => r.product_code);
    return this.run('close', req.key, req, async (trx) => {
      // NO KEY: a purchase holding a wallet inserts its operation with a foreign key to this account (a key-share
      // lock); FOR UPDATE would make it wait on us while we wait on its wallet — a deadlock.
      const account = await trx.selectFrom('accounts').select('status').where('id', '=', req.accountId).forNoKeyUpdate().executeTakeFirst();
      if (!account) throw new Declined({ code: 'wallet_not_found' });
      if (account.status === 'closed') throw new Declined({ code: 'account_closed' });
      // Active holds go back to their wallets first (hold rows before wallet rows, the fixed order), so the
      // remainders below include them and no hold is left pointing at a closed wallet.
      for (const holdId of await holds.lockActiveHolds(trx, req.accountId)) {
        const hold = await holds.closeHold(trx, holdId, 'voided', null, 'any');
        if (hold) await holds.recordHoldOperations(trx, hold.id, (await this.release(trx, hold, 'account_closed', undefined, req.createdBy)).operationId, null);
      }
      const wallets = await repo.closeWallets(trx, req.accountId);
      // A negative remainder (an offline overdraft) is closed the same way, against the same account.
      const remainders: Line[] = wallets.filter((w) => w.balance !== 0n).map((w) => ({ wallet: w.id, product: w.product, amount: w.balance }));
      await trx.updateTable('accounts').set({ status: 'closed', closed_at: new Date() }).where('id', '=', req.accountId).execute();
      const postings = closePostings(req.disposition, remainders);
      const moved = remainders.reduce((s, r) => s + (r.amount < 0n ? -r.amount : r.amount), 0n);
      return this.journal(trx, { type: 'close', accountId: req.accountId, amount: moved, createdBy: req.createdBy, details: { disposition: req.disposition } }, postings, wallets.map((w) => ({ product: w.product, balance: 0n })));
    }, products.flatMap((product) => [{ target: { system: req.disposition }, product, amount: 1n }, { target: { system: 'holds' as const }, product, amount: 1n }]));
  }

  /** Makes the merchant's ledger accounts for these products exist (the one-statement purchase joins them). */
  async prepareMerchant(merchantId: string, products: string[]) {
    for (const product of products) await this.system.ensure('merchant', product, merchantId);
  }

  private async wallet(trx: repo.Tx, accountId: string, product: string) {
    const wallet = await repo.findWallet(trx, accountId, product);
    if (!wallet) throw new Declined({ code: 'wallet_not_found', product });
    return wallet;
  }

  private async journal(
    trx: repo.Tx,
    op: Parameters<typeof repo.insertOperation>[1],
    postings: PostingDraft[],
    balances: Balance[],
  ): Promise<LedgerResult & { status: 'approved' }> {
    if (sumOf(postings) !== 0n) throw new Error(`postings of ${op.type} do not sum to zero`);
    const operation = await repo.insertOperation(trx, op);
    if (postings.length) await repo.insertPostings(trx, operation.id, postings, this.system);
    return { status: 'approved', operationId: operation.id, seq: operation.seq, type: op.type, amount: op.amount, balances };
  }

  /** The idempotent envelope of every use case. */
  private async run(
    kind: string,
    key: string,
    /** The request, digested for idempotency; a string is taken as the digest itself. */
    request: unknown,
    work: (trx: repo.Tx) => Promise<LedgerResult & { status: 'approved' }>,
    systemDrafts: PostingDraft[] = [],
  ): Promise<LedgerResult> {
    if (!key || key.length > 200) throw badRequest('idempotency_key_invalid', 'An idempotency key of 1–200 characters is required', 'key');
    const hash = typeof request === 'string' ? request : createHash('sha256').update(kind).update(JSON.stringify(request, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex');
    const replay = await this.replay(key, hash);
    if (replay) return replay;
    await this.system.prepare(systemDrafts);
    try {
      return await this.database.transaction(async (trx) => {
        const result = await work(trx);
        if (!(await repo.saveIdempotent(trx, key, hash, result, result.operationId))) throw new KeyTakenMeanwhile();
        return result;
      });
    } catch (error) {
      if (error instanceof Declined) {
        const declined: LedgerResult = { status: 'declined', decline: error.decline };
        if (await repo.saveIdempotent(this.database.db, key, hash, declined, null)) return declined;
        return (await this.replay(key, hash))!;
      }
      if (error instanceof KeyTakenMeanwhile) return (await this.replay(key, hash))!;
      throw error;
    }
  }

  private async replay(key: string, hash: string): Promise<LedgerResult | undefined> {
    const stored = await repo.findIdempotent(this.database.db, key);
    if (!stored) return undefined;
    if (stored.request_hash !== hash) throw conflict('idempotency_conflict', 'This idempotency key was used for a different request');
    return revive(stored.response as StoredResult);
  }
}

/** Why an offline debit was refused: only the account's state or the minimum balance can refuse it. */
function offlineDebitDecline(w: WalletState): Decline {
  if (w.accountStatus === 'closed') return { code: 'account_closed', product: w.product };
  if (w.accountStatus === 'blocked') return { code: 'account_blocked', product: w.product };
  return { code: 'insufficient_funds', product: w.product, available: w.balance > w.minBalance ? w.balance - w.minBalance : 0n };
}

type StoredResult =
  | { status: 'approved'; operationId: string; seq: string; type: OperationType; amount: string; balances: Array<{ product: string; balance: string }>; hold?: HoldInfo }
  | { status: 'declined'; decline: Record<string, unknown> };

const BIG_FIELDS = new Set(['available', 'remaining']);

function revive(stored: StoredResult): LedgerResult {
  if (stored.status === 'approved') {
    return { ...stored, seq: BigInt(stored.seq), amount: BigInt(stored.amount), balances: stored.balances.map((b) => ({ product: b.product, balance: BigInt(b.balance) })) };
  }
  const decline = Object.fromEntries(Object.entries(stored.decline).map(([k, v]) => [k, BIG_FIELDS.has(k) ? BigInt(v as string) : v]));
  return { status: 'declined', decline: decline as Decline };
}

