import { createHash } from 'node:crypto';
import type { Database } from '@app/kernel';
import { ProductCodes } from '../directories/product-codes.js';
import { normaliseIdentifier } from '../identifiers/identifier-value.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { toAnswer } from '../ledger/answer.js';
import type { Ledger } from '../ledger/ledger.service.js';
import type { PrepaidDb } from '../tables.js';
import type { Terminal } from '../terminals/terminals.service.js';
import type { AuthorizationResult, PurchaseBody } from './pos.schema.js';
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
      await this.ledger.purchase({ key, fingerprint, accountId: resolved.accountId, merchantId: terminal.merchantId, terminalId: terminal.id, basket: body.basket }),
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

  /** A terminal touches only its own merchant's purchases. */
  private async refuseForeign(terminal: Terminal, operationId: string): Promise<AuthorizationResult | null> {
    if (terminal.status !== 'active') return { status: 'declined', code: 'terminal_not_allowed' };
    const op = await this.database.db.selectFrom('operations').select('merchant_id').where('id', '=', operationId).executeTakeFirst();
    if (!op) return { status: 'declined', code: 'operation_not_found' };
    if (op.merchant_id !== terminal.merchantId) return { status: 'declined', code: 'terminal_not_allowed' };
    return null;
  }
}
