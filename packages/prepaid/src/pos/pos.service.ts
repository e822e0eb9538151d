import { createHash } from 'node:crypto';
import type { Database } from '@app/kernel';
import { ProductCodes } from '../directories/product-codes.js';
import { normaliseIdentifier } from '../identifiers/identifier-value.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { toAnswer } from '../ledger/answer.js';
import type { Ledger } from '../ledger/ledger.service.js';
import type { PrepaidDb } from '../tables.js';
import type { Terminal } from '../terminals/terminals.service.js';
import { findHold } from '../holds/holds.repo.js';
import type { LedgerResult } from '../ledger/ledger.service.js';
import type { AuthorizationResult, HoldBody, HoldResult, PurchaseBody } from './pos.schema.js';
import { PurchaseBatcher } from './purchase.batch.js';
import { purchaseInOneStatement } from './purchase.fast-path.js';

/**
 * The digest of a terminal's purchase request under its idempotency key. An uploaded offline purchase
 * uses the same key and digest as the online attempt it fell back from, so when that attempt did reach
 * the server (its answer was lost) the upload gets the first answer and nothing is taken twice.
 */
export function purchaseFingerprint(terminalId: string, identifier: PurchaseBody['identifier'], basket: PurchaseBody['basket']): string {
  return createHash('sha256').update(JSON.stringify(['purchase', terminalId, identifier.kind, identifier.value, basket])).digest('hex');
}

/**
 * What a terminal may do: ask balances by identifier, authorize a purchase, reverse or refund one of
 * its merchant's purchases. The terminal's key is scoped to the terminal, so two terminals may use the
 * same key without meeting.
 */
export class PosService {
  private readonly identifiers: Identifiers;
  private readonly batcher: PurchaseBatcher;
  private readonly productCodes: ProductCodes;

  constructor(
    private readonly database: Database<PrepaidDb>,
    private readonly ledger: Ledger,
    /** Told which path each purchase took, for the metrics. */
    private readonly onPath: (path: 'one_statement' | 'explained') => void = () => {},
    onBatchSize?: (size: number) => void,
    /** How long a hold lives when the terminal does not say (HOLD_TTL_SECONDS). */
    private readonly holdTtlSeconds = 900,
  ) {
    this.identifiers = new Identifiers(database);
    this.productCodes = new ProductCodes(database);
    this.batcher = new PurchaseBatcher(database, { onBatch: onBatchSize });
  }

  async balance(terminal: Terminal, kind: PurchaseBody['identifier']['kind'], value: string) {
    if (terminal.status !== 'active') return { status: 'declined' as const, code: 'terminal_not_allowed' as const };
    const resolved = await this.identifiers.resolve(kind, value);
    if (resolved.status === 'unknown') return { status: 'declined' as const, code: 'unknown_identifier' as const };
    if (resolved.status === 'blocked') return { status: 'declined' as const, code: 'identifier_blocked' as const };
    const db = this.database.db;
    const [account, wallets, accepted] = await Promise.all([
      db.selectFrom('accounts').select(['number', 'status']).where('id', '=', resolved.accountId).executeTakeFirstOrThrow(),
      db.selectFrom('wallets').select(['product_code', 'balance', 'min_balance']).where('account_id', '=', resolved.accountId).orderBy('product_code').execute(),
      db.selectFrom('merchant_products').select('product_code').where('merchant_id', '=', terminal.merchantId).execute(),
    ]);
    if (account.status !== 'open') return { status: 'declined' as const, code: account.status === 'closed' ? ('account_closed' as const) : ('account_blocked' as const) };
    const acceptedHere = new Set(accepted.map((a) => a.product_code));
    return {
      status: 'found' as const,
      accountNumber: account.number,
      wallets: wallets.map((w) => ({
        product: w.product_code,
        balance: Number(w.balance),
        available: Number(w.balance > w.min_balance ? w.balance - w.min_balance : 0n),
        accepted: acceptedHere.has(w.product_code),
      })),
    };
  }

  async purchase(terminal: Terminal, body: PurchaseBody): Promise<AuthorizationResult> {
    if (terminal.status !== 'active') return { status: 'declined', code: 'terminal_not_allowed' };
    const key = `pos:${terminal.id}:${body.idempotencyKey}`;
    // What the terminal asked, digested: the same key with another card or basket is a different request.
    const fingerprint = purchaseFingerprint(terminal.id, body.identifier, body.basket);
    const products = body.basket.map((l) => l.product);
    await this.productCodes.assertKnown(products, (i) => `basket/${i}/product`);
    if (new Set(products).size === products.length) {
      await this.ledger.prepareMerchant(terminal.merchantId, products);
      const value = normaliseIdentifier(body.identifier.kind, body.identifier.value);
      const line = body.basket[0]!;
      const fast =
        body.basket.length === 1
          ? await this.batcher.submit({ key, fingerprint, kind: body.identifier.kind, value, product: line.product, amount: BigInt(line.amount), merchantId: terminal.merchantId, terminalId: terminal.id })
          : await purchaseInOneStatement(this.database, {
              key,
              fingerprint,
              kind: body.identifier.kind,
              value,
              merchantId: terminal.merchantId,
              terminalId: terminal.id,
              products,
              amounts: body.basket.map((l) => BigInt(l.amount)),
            });
      if (fast) {
        this.onPath('one_statement');
        const amount = body.basket.reduce((s, l) => s + l.amount, 0);
        return { status: 'approved', operationId: fast.operationId, amount, balances: fast.balances.map((b) => ({ product: b.product, balance: Number(b.balance) })) };
      }
    }
    // The explaining path: replays, declines with their codes, anything the one statement refused.
    this.onPath('explained');
    const resolved = await this.identifiers.resolve(body.identifier.kind, body.identifier.value);
    if (resolved.status === 'unknown') return { status: 'declined', code: 'unknown_identifier' };
    if (resolved.status === 'blocked') return { status: 'declined', code: 'identifier_blocked' };
    return toAnswer(
      await this.ledger.purchase({ key, fingerprint, accountId: resolved.accountId, merchantId: terminal.merchantId, terminalId: terminal.id, basket: body.basket, identifierId: resolved.identifierId }),
    );
  }

  async reverse(terminal: Terminal, operationId: string, idempotencyKey: string): Promise<AuthorizationResult> {
    const refusal = await this.refuseForeign(terminal, operationId);
    if (refusal) return refusal;
    return toAnswer(await this.ledger.reverse({ key: `pos:${terminal.id}:${idempotencyKey}`, operationId, terminalId: terminal.id }));
  }

  async refund(terminal: Terminal, operationId: string, idempotencyKey: string, items?: PurchaseBody['basket']): Promise<AuthorizationResult> {
    if (items) await this.productCodes.assertKnown(items.map((i) => i.product), (i) => `items/${i}/product`);
    const refusal = await this.refuseForeign(terminal, operationId);
    if (refusal) return refusal;
    return toAnswer(await this.ledger.refund({ key: `pos:${terminal.id}:${idempotencyKey}`, operationId, items, terminalId: terminal.id }));
  }

  /** Holds an amount (pre-authorization) on the card's wallet of one product, for this terminal's merchant. */
  async hold(terminal: Terminal, body: HoldBody): Promise<HoldResult> {
    if (terminal.status !== 'active') return { status: 'declined', code: 'terminal_not_allowed' };
    await this.productCodes.assertKnown([body.product], () => 'product');
    const resolved = await this.identifiers.resolve(body.identifier.kind, body.identifier.value);
    if (resolved.status === 'unknown') return { status: 'declined', code: 'unknown_identifier' };
    if (resolved.status === 'blocked') return { status: 'declined', code: 'identifier_blocked' };
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(['hold', terminal.id, body.identifier.kind, normaliseIdentifier(body.identifier.kind, body.identifier.value), body.product, body.amount, body.ttlSeconds ?? null]))
      .digest('hex');
    return holdAnswer(
      await this.ledger.hold({
        key: `pos:${terminal.id}:${body.idempotencyKey}`,
        fingerprint,
        accountId: resolved.accountId,
        merchantId: terminal.merchantId,
        terminalId: terminal.id,
        product: body.product,
        amount: body.amount,
        ttlSeconds: body.ttlSeconds ?? this.holdTtlSeconds,
        identifierId: resolved.identifierId,
      }),
    );
  }

  async completeHold(terminal: Terminal, holdId: string, idempotencyKey: string, amount?: number): Promise<HoldResult> {
    const refusal = await this.refuseForeignHold(terminal, holdId);
    if (refusal) return refusal;
    return holdAnswer(await this.ledger.completeHold({ key: `pos:${terminal.id}:${idempotencyKey}`, holdId, amount, terminalId: terminal.id }));
  }

  async voidHold(terminal: Terminal, holdId: string, idempotencyKey: string): Promise<HoldResult> {
    const refusal = await this.refuseForeignHold(terminal, holdId);
    if (refusal) return refusal;
    return holdAnswer(await this.ledger.voidHold({ key: `pos:${terminal.id}:${idempotencyKey}`, holdId, terminalId: terminal.id }));
  }

  async holdView(terminal: Terminal, holdId: string) {
    const refusal = await this.refuseForeignHold(terminal, holdId);
    if (refusal) return refusal;
    const h = (await findHold(this.database.db, holdId))!;
    return {
      status: 'found' as const,
      holdId: h.id,
      holdStatus: h.status,
      product: h.product,
      amount: Number(h.amount),
      ...(h.completedAmount !== null ? { completedAmount: Number(h.completedAmount) } : {}),
      ...(h.purchaseOperationId ? { purchaseOperationId: h.purchaseOperationId } : {}),
      createdAt: h.createdAt.toISOString(),
      expiresAt: h.expiresAt.toISOString(),
      ...(h.closedAt ? { closedAt: h.closedAt.toISOString() } : {}),
    };
  }

  /** A terminal touches only its own merchant's holds. */
  private async refuseForeignHold(terminal: Terminal, holdId: string): Promise<{ status: 'declined'; code: 'terminal_not_allowed' | 'hold_not_found' } | null> {
    if (terminal.status !== 'active') return { status: 'declined', code: 'terminal_not_allowed' };
    const hold = await findHold(this.database.db, holdId);
    if (!hold) return { status: 'declined', code: 'hold_not_found' };
    if (hold.merchantId !== terminal.merchantId) return { status: 'declined', code: 'terminal_not_allowed' };
    return null;
  }

  /** A terminal touches only its own merchant's purchases. */
  private async refuseForeign(terminal: Terminal, operationId: string): Promise<AuthorizationResult | null> {
    if (terminal.status !== 'active') return { status: 'declined', code: 'terminal_not_allowed' };
    const op = await this.database.db.selectFrom('operations').select('merchant_id').where('id', '=', operationId).executeTakeFirst();
    if (!op) return { status: 'declined', code: 'operation_not_found' };
    if (op.merchant_id !== terminal.merchantId) return { status: 'declined', code: 'terminal_not_allowed' };
    return null;
  }
}

function holdAnswer(result: LedgerResult): HoldResult {
  const answer = toAnswer(result);
  if (answer.status === 'declined' || result.status !== 'approved' || !result.hold) return answer as HoldResult;
  return {
    ...answer,
    holdId: result.hold.id,
    holdStatus: result.hold.status,
    heldAmount: Number(result.hold.amount),
    expiresAt: result.hold.expiresAt,
  };
}
