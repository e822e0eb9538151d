import { randomUUID } from 'node:crypto';
import { paymentTopics, type PaymentRegistered, type RegisterPayment } from '@app/cabinet-contracts';
import { AppError, conflict, enqueueMessage, notFound, unavailable, unprocessable, type Database, type Logger } from '@app/kernel';
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import { inScope, requireRight } from '../members/scope.js';
import type { PaymentOrdersTable, PaymentOrderStatus } from '../self-service.tables.js';
import type { CabinetFrontDb } from '../tables.js';
import type { AcquiringAdapter, ProviderState } from './acquiring.js';

/**
 * Card payments of a consumer's debt or chosen invoices, through the acquiring bank (acquiring.ts).
 *
 * Invariants:
 * - an order's amount is fixed when it is created and validated against the front's copy of billing:
 *   the invoices chosen (their sum, exactly) or the debt (at most the debt less what open orders of the
 *   contract already cover); every message from the bank must carry the same amount, or it changes nothing;
 * - status moves forward only (new → pending → paid → booked | booking_refused; pending → declined |
 *   canceled), each move a conditional update of one locked row, so notifications, the consumer's return
 *   and reconciliation may race and repeat: the register command is written once, with the move to paid;
 * - the bank is trusted only through signed messages (notifications) or our own signed requests (GetState).
 */
export interface PaymentsDeps {
  database: Database<CabinetFrontDb>;
  pii: Pii;
  acquiring: AcquiringAdapter | null;
  /** The front's address as the bank and the browser reach it: NotificationURL, SuccessURL and FailURL derive from it. */
  publicUrl: string | (() => string);
  today: () => string;
  nudge: () => void;
  logger: Logger;
  /** Smallest card payment, kopecks (default 100: one rouble). */
  minAmount?: bigint;
}

type Order = Selectable<PaymentOrdersTable>;
type Trx = Transaction<CabinetFrontDb>;
const OPEN: PaymentOrderStatus[] = ['new', 'pending'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Payments {
  constructor(private readonly deps: PaymentsDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  async create(userId: string, input: { contractId: string; invoiceIds?: string[]; amount?: string; idempotencyKey?: string }) {
    const contract = await this.db.selectFrom('contracts').select(['id', 'consumer_ref', 'number', 'status']).where('id', '=', input.contractId).where(inScope(userId, 'view')).executeTakeFirst();
    if (!contract) throw new AppError('contract_not_found', 404, 'No such contract', { errors: [{ field: 'contractId', code: 'contract_not_found', message: 'No such contract' }] });
    await requireRight(this.db, userId, contract.consumer_ref, 'pay', 'contract_not_found');
    const acquiring = this.deps.acquiring;
    if (!acquiring) throw unavailable('payments_not_configured', 'Card payments are not configured on this installation');

    const key = input.idempotencyKey ?? randomUUID();
    const invoiceIds = [...new Set(input.invoiceIds ?? [])];
    const existing = await this.db.selectFrom('payment_orders').selectAll().where('user_id', '=', userId).where('idempotency_key', '=', key).executeTakeFirst();
    if (existing) {
      const same = existing.contract_id === contract.id && (input.amount === undefined || BigInt(input.amount) === existing.amount) && sameSet(existing.invoice_ids, invoiceIds);
      if (!same) throw conflict('idempotency_key_reused', 'This idempotency key was used for another payment');
      return { order: await this.initOnce(acquiring, existing), created: false };
    }

    const amount = invoiceIds.length > 0 ? await this.amountOfInvoices(contract.id, invoiceIds, input.amount) : await this.amountOfDebt(contract.id, input.amount);
    if (amount < (this.deps.minAmount ?? 100n)) throw unprocessable('amount_too_small', `A card payment is at least ${this.deps.minAmount ?? 100n} kopecks`, { errors: [{ field: 'amount', code: 'amount_too_small', message: 'Too small for a card payment' }] });

    const id = randomUUID();
    const inserted = await this.deps.database.transaction(async (trx) => {
      // Two requests with one key at once: the unique key lets one insert; the other finds it above on retry.
      const row = await trx
        .insertInto('payment_orders')
        .values({ id, user_id: userId, consumer_ref: contract.consumer_ref, contract_id: contract.id, idempotency_key: key, amount, invoice_ids: invoiceIds, provider: acquiring.provider, provider_payment_id: null, provider_status: null, payment_url: null, pan_enc: null, billing_payment_id: null, failure_code: null, failure_message: null, paid_at: null, checked_at: null })
        .onConflict((oc) => oc.columns(['user_id', 'idempotency_key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) await trx.insertInto('payment_order_events').values({ order_id: id, source: 'create', provider_status: null, status: 'new', changed: true }).execute();
      return row;
    });
    if (!inserted) throw conflict('idempotency_key_reused', 'A payment with this idempotency key is being created; repeat the request');
    return { order: await this.initOnce(acquiring, inserted), created: true, number: contract.number };
  }

  /** Registers the order with the bank unless it has been; the same OrderId again gets the same payment. */
  private async initOnce(acquiring: AcquiringAdapter, order: Order) {
    if (order.status !== 'new') return this.view(order);
    const base = (typeof this.deps.publicUrl === 'function' ? this.deps.publicUrl() : this.deps.publicUrl).replace(/\/$/, '');
    // SuccessURL/FailURL: the cabinet's page of this order (the SPA), which then asks /api/payments/orders/:id/return.
    // A page and not the API route: the session cookie is SameSite=Strict, so the bank's cross-site redirect
    // arrives without it, while the page's own requests carry it.
    const back = `${base}/money/payments/${order.id}`;
    try {
      const payment = await acquiring.init({ orderId: order.id, amount: order.amount, description: `Оплата по договору, заказ ${order.id.slice(0, 8)}`, successUrl: back, failUrl: back, notificationUrl: `${base}/api/payments/notifications/${acquiring.provider}` });
      const updated = await this.db
        .updateTable('payment_orders')
        .set({ status: 'pending', provider_payment_id: payment.paymentId, provider_status: payment.status, payment_url: payment.paymentUrl, updated_at: sql`now()` })
        .where('id', '=', order.id)
        .where('status', '=', 'new')
        .returningAll()
        .executeTakeFirst();
      return this.view(updated ?? (await this.db.selectFrom('payment_orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow()));
    } catch (error) {
      // Unavailable: the order stays `new`, the same request (same key) tries again. Refused: it is over.
      if (error instanceof AppError && error.code !== 'acquiring_unavailable') {
        await this.db.updateTable('payment_orders').set({ status: 'failed', failure_code: error.code, failure_message: error.message.slice(0, 500), updated_at: sql`now()` }).where('id', '=', order.id).where('status', '=', 'new').execute();
      }
      throw error;
    }
  }

  private async amountOfInvoices(contractId: string, invoiceIds: string[], given?: string): Promise<bigint> {
    const rows = await this.db.selectFrom('invoices').select(['id', 'amount']).where('contract_id', '=', contractId).where('kind', '=', 'invoice').where('id', 'in', invoiceIds).execute();
    const found = new Set(rows.map((r) => r.id));
    const missing = invoiceIds.map((id, i) => ({ id, i })).filter((x) => !found.has(x.id));
    if (missing.length) {
      throw unprocessable('invoice_not_found', 'Some invoices are not invoices of this contract', { errors: missing.map((m) => ({ field: `invoiceIds/${m.i}`, code: 'invoice_not_found', message: 'Not an invoice of this contract' })) });
    }
    const busy = await this.db
      .selectFrom('payment_orders')
      .select('invoice_ids')
      .where('contract_id', '=', contractId)
      .where('status', 'in', ['new', 'pending', 'paid', 'booked'])
      .where(sql<boolean>`invoice_ids && ${sql.val(invoiceIds)}::text[]`)
      .execute();
    const taken = new Set(busy.flatMap((b) => b.invoice_ids));
    const clash = invoiceIds.map((id, i) => ({ id, i })).filter((x) => taken.has(x.id));
    if (clash.length) {
      throw new AppError('invoice_already_paid', 409, 'Some invoices are paid or being paid by card already', { errors: clash.map((c) => ({ field: `invoiceIds/${c.i}`, code: 'invoice_already_paid', message: 'Paid or being paid by card' })) });
    }
    const sum = rows.reduce((s, r) => s + r.amount, 0n);
    if (given !== undefined && BigInt(given) !== sum) {
      throw unprocessable('amount_mismatch', `The invoices chosen come to ${sum} kopecks`, { errors: [{ field: 'amount', code: 'amount_mismatch', message: `Must be ${sum}: the sum of the invoices chosen` }], expected: String(sum) });
    }
    return sum;
  }

  private async amountOfDebt(contractId: string, given?: string): Promise<bigint> {
    const account = await this.db.selectFrom('accounts').select('debt').where('contract_id', '=', contractId).executeTakeFirst();
    const debt = account?.debt ?? 0n;
    if (debt <= 0n) throw unprocessable('nothing_to_pay', 'The contract has no debt', { errors: [{ field: 'contractId', code: 'nothing_to_pay', message: 'No debt' }] });
    // Card payments not yet in billing's debt: pending ones and paid ones billing has not booked.
    const open = await this.db.selectFrom('payment_orders').select(sql<string>`coalesce(sum(amount), 0)::text`.as('n')).where('contract_id', '=', contractId).where('status', 'in', ['new', 'pending', 'paid']).executeTakeFirstOrThrow();
    const outstanding = debt - BigInt(open.n);
    if (outstanding <= 0n) throw conflict('payment_in_progress', 'The debt is being paid by card already');
    const amount = given === undefined ? outstanding : BigInt(given);
    if (amount > outstanding) {
      throw unprocessable('amount_exceeds_debt', `At most ${outstanding} kopecks are due`, { errors: [{ field: 'amount', code: 'amount_exceeds_debt', message: `At most ${outstanding}` }], maximum: String(outstanding) });
    }
    return amount;
  }

  async list(userId: string, q: { limit: number; offset: number; contractId?: string; status?: string }) {
    let base = this.db.selectFrom('payment_orders').where(inScope(userId, 'view'));
    if (q.contractId) base = base.where('contract_id', '=', q.contractId);
    if (q.status) base = base.where('status', '=', q.status as PaymentOrderStatus);
    const [rows, n] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => this.view(r)), total: Number(n.n), limit: q.limit, offset: q.offset };
  }

  async get(userId: string, id: string) {
    return this.view(await this.find(userId, id));
  }

  private async find(userId: string, id: string) {
    const row = await this.db.selectFrom('payment_orders').selectAll().where('id', '=', id).where(inScope(userId, 'view')).executeTakeFirst();
    if (!row) throw notFound('payment_order_not_found', 'No such payment');
    return row;
  }

  /** The consumer is back from the bank's page: ask the bank (never the browser's word) and show the order. */
  async returned(userId: string, id: string) {
    const order = await this.find(userId, id);
    if (!OPEN.includes(order.status) || !order.provider_payment_id || !this.deps.acquiring) return this.view(order);
    try {
      await this.apply(await this.deps.acquiring.state(order.provider_payment_id), 'return');
    } catch (error) {
      // The bank is away: the order shows as pending and reconciliation resolves it later.
      this.deps.logger.warn({ err: error, orderId: id }, 'payment state not available on return');
    }
    return this.get(userId, id);
  }

  /** A notification from the bank: signature checked by the adapter, then the same move as any other source. */
  async notified(provider: string, body: unknown) {
    const acquiring = this.deps.acquiring;
    if (!acquiring || acquiring.provider !== provider) throw notFound('acquiring_not_found', 'No such acquiring');
    const state = acquiring.notification(body);
    const result = await this.apply(state, 'notification');
    if (result === 'unknown') throw notFound('payment_order_not_found', 'No such payment order');
    if (result === 'mismatch') throw unprocessable('notification_mismatch', 'The notification does not match the order (payment id or amount)');
  }

  /** Asks the bank for every open order last touched before `olderThanMs` ago and resolves what it answers. */
  async reconcile(options: { olderThanMs?: number; limit?: number; initTimeoutMs?: number } = {}) {
    const before = new Date(Date.now() - (options.olderThanMs ?? 120_000));
    const open = await this.db.selectFrom('payment_orders').selectAll().where('status', 'in', OPEN).where('updated_at', '<', before).orderBy('updated_at').limit(options.limit ?? 200).execute();
    let resolved = 0;
    let failed = 0;
    for (const order of open) {
      if (!order.provider_payment_id) {
        // Init never answered: after a while the order is given up (the consumer starts a new one).
        if (order.updated_at.getTime() < Date.now() - (options.initTimeoutMs ?? 30 * 60_000)) {
          await this.db.updateTable('payment_orders').set({ status: 'failed', failure_code: 'init_unanswered', failure_message: 'The bank never confirmed the payment registration', updated_at: sql`now()` }).where('id', '=', order.id).where('status', '=', 'new').execute();
          failed++;
        }
        continue;
      }
      try {
        const result = await this.apply(await this.deps.acquiring!.state(order.provider_payment_id), 'reconcile');
        if (result === 'changed') resolved++;
      } catch (error) {
        this.deps.logger.warn({ err: error, orderId: order.id }, 'reconciliation: bank state not available');
      }
    }
    return { checked: open.length, resolved, failed };
  }

  /**
   * One source's word on an order: locks the row, checks payment id and amount, moves the status forward
   * if the outcome allows, and with the move to paid writes the register command, in one transaction.
   */
  async apply(state: ProviderState & { pan?: string }, source: 'notification' | 'return' | 'reconcile'): Promise<'changed' | 'unchanged' | 'unknown' | 'mismatch'> {
    if (!UUID.test(state.orderId)) return 'unknown';
    let wrote = false;
    const result = await this.deps.database.transaction(async (trx) => {
      const order = await trx.selectFrom('payment_orders').selectAll().where('id', '=', state.orderId).forUpdate().executeTakeFirst();
      if (!order) return 'unknown' as const;
      if ((order.provider_payment_id && order.provider_payment_id !== state.paymentId) || order.amount !== state.amount) {
        this.deps.logger.error({ orderId: order.id, source, paymentId: state.paymentId, amount: String(state.amount) }, 'acquiring message does not match the payment order; ignored');
        return 'mismatch' as const;
      }
      const next = nextStatus(order.status, state.outcome);
      const changes: Record<string, unknown> = { provider_status: state.status, checked_at: sql`now()` };
      if (!order.provider_payment_id) changes.provider_payment_id = state.paymentId;
      if (state.pan && !order.pan_enc) changes.pan_enc = this.deps.pii.seal('payment_orders', 'pan_enc', order.id, state.pan);
      if (next) {
        Object.assign(changes, { status: next, updated_at: sql`now()` });
        if (next === 'paid') changes.paid_at = sql`now()`;
        if (next === 'declined' || next === 'canceled') Object.assign(changes, { failure_code: state.errorCode ?? state.status.toLowerCase(), failure_message: state.message ?? null });
      }
      await trx.updateTable('payment_orders').set(changes).where('id', '=', order.id).execute();
      await trx.insertInto('payment_order_events').values({ order_id: order.id, source, provider_status: state.status, status: next ?? order.status, changed: Boolean(next) }).execute();
      if (next === 'paid') {
        await enqueueRegister(trx, order, `${order.provider}:${state.paymentId}`, this.deps.today());
        wrote = true;
      }
      return next ? ('changed' as const) : ('unchanged' as const);
    });
    if (wrote) this.deps.nudge();
    return result;
  }

  view(o: Order) {
    return {
      id: o.id,
      contractId: o.contract_id,
      consumerRef: o.consumer_ref,
      amount: String(o.amount),
      invoiceIds: o.invoice_ids,
      status: o.status,
      provider: o.provider,
      ...(o.provider_status ? { providerStatus: o.provider_status } : {}),
      ...(o.status === 'pending' && o.payment_url ? { paymentUrl: o.payment_url } : {}),
      ...(o.pan_enc ? { cardPan: this.deps.pii.open('payment_orders', 'pan_enc', o.id, o.pan_enc) } : {}),
      ...(o.billing_payment_id ? { billingPaymentId: o.billing_payment_id } : {}),
      ...(o.failure_code ? { failure: { code: o.failure_code, ...(o.failure_message ? { message: o.failure_message } : {}) } } : {}),
      createdAt: o.created_at.toISOString(),
      ...(o.paid_at ? { paidAt: o.paid_at.toISOString() } : {}),
    };
  }
}

function nextStatus(current: PaymentOrderStatus, outcome: ProviderState['outcome']): PaymentOrderStatus | null {
  if (!OPEN.includes(current)) return null;
  if (outcome === 'pending') return current === 'new' ? 'pending' : null;
  return outcome;
}

async function enqueueRegister(trx: Trx, order: Order, externalRef: string, paidOn: string) {
  const command: RegisterPayment = {
    orderId: order.id,
    userRef: order.user_id,
    consumerRef: order.consumer_ref,
    contractId: order.contract_id,
    amount: String(order.amount),
    paidOn,
    externalRef,
    invoiceIds: order.invoice_ids,
  };
  await enqueueMessage(trx, paymentTopics.register, command, { id: order.id });
}

/** Billing's answer to the register command (event consumer, inside its inbox transaction). */
export async function applyPaymentRegistered(trx: Trx, e: PaymentRegistered) {
  const status: PaymentOrderStatus = e.status === 'booked' ? 'booked' : 'booking_refused';
  const changed = await trx
    .updateTable('payment_orders')
    .set({ status, billing_payment_id: e.paymentId ?? null, ...(e.code ? { failure_code: e.code, failure_message: e.message ?? null } : {}), updated_at: sql`now()` })
    .where('id', '=', e.orderId)
    .where('status', '=', 'paid')
    .returning('id')
    .executeTakeFirst();
  if (changed) await trx.insertInto('payment_order_events').values({ order_id: e.orderId, source: 'billing', provider_status: null, status, changed: true }).execute();
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
