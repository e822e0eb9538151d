import { auditContext, conflict, notFound, recordAudit, type Database, type HttpApp } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import { openAccount, setAccountBlocked } from '../accounts/accounts.service.js';
import { createClient, createMerchant, createProduct, createServiceProvider } from '../directories/directories.repo.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { toAnswer } from '../ledger/answer.js';
import type { Ledger } from '../ledger/ledger.service.js';
import type { PrepaidDb } from '../tables.js';
import type { Terminals } from '../terminals/terminals.service.js';
import { searchClients, statementQuery } from '../web/read/queries.js';
import * as S from './staff.schema.js';

/**
 * The staff API behind the workplace: directories, clients, accounts, identifiers and money operations.
 * Roles (each includes the previous): operator — clients, accounts, identifiers, statements;
 * settlement — credits, corrections, transfers; manager — directories, terminals, closing accounts.
 * Every change is journaled with who, what and from where.
 */
const operator = { access: { roles: ['operator'] } } as const;
const settlement = { access: { roles: ['settlement'] } } as const;
const manager = { access: { roles: ['manager'] } } as const;

export function registerStaffRoutes(app: HttpApp, deps: { database: Database<PrepaidDb>; ledger: Ledger; terminals: Terminals }) {
  const { database, ledger, terminals } = deps;
  const db = database.db;
  const identifiers = new Identifiers(database);
  const audit = (request: FastifyRequest, action: string, targetType: string, targetId: string, details: Record<string, unknown> = {}) =>
    recordAudit(db, { ...auditContext(request), action, targetType, targetId, details });
  const big = (n: number | null | undefined) => (n === undefined || n === null ? null : BigInt(n));
  const tag = (name: string) => ({ tags: [name] });

  app.get('/api/products', { config: operator, schema: { ...tag('directories'), summary: 'Products (wallet types) with their limits' } }, async () =>
    (await db.selectFrom('products').selectAll().orderBy('code').execute()).map((p) => ({
      code: p.code,
      name: p.name,
      minBalance: Number(p.min_balance),
      maxBalance: p.max_balance === null ? null : Number(p.max_balance),
      perOperationLimit: p.per_operation_limit === null ? null : Number(p.per_operation_limit),
      dailyDebitLimit: p.daily_debit_limit === null ? null : Number(p.daily_debit_limit),
      monthlyDebitLimit: p.monthly_debit_limit === null ? null : Number(p.monthly_debit_limit),
      offline: { floorLimit: p.offline_floor_limit === null ? null : Number(p.offline_floor_limit), totalLimit: p.offline_total_limit === null ? null : Number(p.offline_total_limit), countLimit: p.offline_count_limit },
    })),
  );

  app.post('/api/products', { config: manager, schema: { ...tag('directories'), summary: 'Create a product', body: S.ProductBody } }, async (request, reply) => {
    const b = request.body;
    const exists = await db.selectFrom('products').select('code').where('code', '=', b.code).executeTakeFirst();
    if (exists) throw conflict('product_exists', 'A product with this code exists');
    await createProduct(db, { code: b.code, name: b.name, minBalance: big(b.minBalance) ?? 0n, maxBalance: big(b.maxBalance), perOperationLimit: big(b.perOperationLimit), dailyDebitLimit: big(b.dailyDebitLimit), monthlyDebitLimit: big(b.monthlyDebitLimit) });
    await audit(request, 'product.create', 'product', b.code, { ...b });
    return reply.status(201).send({ code: b.code });
  });

  app.patch('/api/products/:code', { config: manager, schema: { ...tag('directories'), summary: "Change a product's name or limits (null removes a limit)", params: S.ProductParams, body: S.ProductPatch } }, async (request) => {
    const b = request.body;
    const updated = await db
      .updateTable('products')
      .set({
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.maxBalance !== undefined ? { max_balance: big(b.maxBalance) } : {}),
        ...(b.perOperationLimit !== undefined ? { per_operation_limit: big(b.perOperationLimit) } : {}),
        ...(b.dailyDebitLimit !== undefined ? { daily_debit_limit: big(b.dailyDebitLimit) } : {}),
        ...(b.monthlyDebitLimit !== undefined ? { monthly_debit_limit: big(b.monthlyDebitLimit) } : {}),
        ...(b.offlineFloorLimit !== undefined ? { offline_floor_limit: big(b.offlineFloorLimit) } : {}),
        ...(b.offlineTotalLimit !== undefined ? { offline_total_limit: big(b.offlineTotalLimit) } : {}),
        ...(b.offlineCountLimit !== undefined ? { offline_count_limit: b.offlineCountLimit } : {}),
      })
      .where('code', '=', request.params.code)
      .returning('code')
      .executeTakeFirst();
    if (!updated) throw notFound('product_not_found', 'No such product');
    await audit(request, 'product.update', 'product', request.params.code, { ...b });
    return { ok: true };
  });

  app.post('/api/service-providers', { config: manager, schema: { ...tag('directories'), summary: 'Create a service provider', body: S.ProviderBody } }, async (request, reply) => {
    const id = await createServiceProvider(db, request.body).catch((error: { code?: string }) => {
      if (error.code === '23505') throw conflict('provider_exists', 'A service provider with this code exists');
      throw error;
    });
    await audit(request, 'provider.create', 'service_provider', id, { ...request.body });
    return reply.status(201).send({ id });
  });

  app.post('/api/merchants', { config: manager, schema: { ...tag('directories'), summary: 'Create a merchant (point of sale) and the products it accepts', body: S.MerchantBody } }, async (request, reply) => {
    const id = await createMerchant(db, request.body).catch((error: { code?: string }) => {
      if (error.code === '23505') throw conflict('merchant_exists', 'A merchant with this code exists');
      if (error.code === '23503') throw notFound('reference_not_found', 'An unknown product or service provider was named');
      throw error;
    });
    await audit(request, 'merchant.create', 'merchant', id, { ...request.body });
    return reply.status(201).send({ id });
  });

  app.patch('/api/merchants/:id', { config: manager, schema: { ...tag('directories'), summary: 'Block/unblock a merchant or change the products it accepts', params: S.IdParams, body: S.MerchantPatch } }, async (request) => {
    const { status, products } = request.body;
    await database.transaction(async (trx) => {
      const found = await trx.selectFrom('merchants').select('id').where('id', '=', request.params.id).forUpdate().executeTakeFirst();
      if (!found) throw notFound('merchant_not_found', 'No such merchant');
      if (status) await trx.updateTable('merchants').set({ status }).where('id', '=', request.params.id).execute();
      if (products) {
        await trx.deleteFrom('merchant_products').where('merchant_id', '=', request.params.id).execute();
        if (products.length) await trx.insertInto('merchant_products').values(products.map((product_code) => ({ merchant_id: request.params.id, product_code }))).execute();
      }
      await recordAudit(trx, { ...auditContext(request), action: 'merchant.update', targetType: 'merchant', targetId: request.params.id, details: { ...request.body } });
    }).catch((error: { code?: string }) => {
      if (error.code === '23503') throw notFound('product_not_found', 'An unknown product was named');
      throw error;
    });
    return { ok: true };
  });

  app.patch('/api/terminals/:id', { config: manager, schema: { ...tag('directories'), summary: 'Block or unblock a terminal', params: S.IdParams, body: S.StatusPatch } }, async (request) => {
    const row = await db.updateTable('terminals').set({ status: request.body.status }).where('id', '=', request.params.id).returning('code').executeTakeFirst();
    if (!row) throw notFound('terminal_not_found', 'No such terminal');
    await terminals.forget(row.code);
    await audit(request, 'terminal.update', 'terminal', request.params.id, { status: request.body.status });
    return { ok: true };
  });

  app.post('/api/terminals', { config: manager, schema: { ...tag('directories'), summary: 'Register a terminal; its secret is shown once', body: S.TerminalBody } }, async (request, reply) => {
    const terminal = await terminals.register(request.body).catch((error: { code?: string }) => {
      if (error.code === '23505') throw conflict('terminal_exists', 'A terminal with this code exists');
      if (error.code === '23503') throw notFound('merchant_not_found', 'No such merchant');
      throw error;
    });
    await audit(request, 'terminal.create', 'terminal', terminal.id, { code: terminal.code, merchantId: request.body.merchantId });
    return reply.status(201).send(terminal);
  });

  app.post('/api/clients', { config: operator, schema: { ...tag('clients'), summary: 'Create a client', body: S.ClientBody } }, async (request, reply) => {
    const id = await createClient(db, request.body);
    await audit(request, 'client.create', 'client', id);
    return reply.status(201).send({ id });
  });

  app.patch('/api/clients/:id', { config: operator, schema: { ...tag('clients'), summary: "Edit a client's name and contacts", params: S.IdParams, body: S.ClientPatch } }, async (request) => {
    const b = request.body;
    const row = await db
      .updateTable('clients')
      .set({
        ...(b.fullName !== undefined ? { full_name: b.fullName } : {}),
        ...(b.phone !== undefined ? { phone: b.phone } : {}),
        ...(b.email !== undefined ? { email: b.email } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', request.params.id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('client_not_found', 'No such client');
    await audit(request, 'client.update', 'client', request.params.id, { fields: Object.keys(b) });
    return { ok: true };
  });

  app.get(
    '/api/clients',
    {
      config: operator,
      schema: { ...tag('clients'), summary: 'Find clients by name, phone, account number or identifier', querystring: S.ClientSearch },
    },
    async (request) => {
      const { q, limit, offset } = request.query;
      const rows = await searchClients(db, q, { limit, offset });
      return { items: rows.map((r) => ({ id: r.id, fullName: r.full_name, phone: r.phone, accounts: r.accounts })) };
    },
  );

  app.post('/api/accounts', { config: operator, schema: { ...tag('accounts'), summary: 'Open an account with a wallet per product', body: S.AccountBody } }, async (request, reply) => {
    const client = await db.selectFrom('clients').select('id').where('id', '=', request.body.clientId).executeTakeFirst();
    if (!client) throw notFound('client_not_found', 'No such client');
    const account = await openAccount(db, request.body);
    await audit(request, 'account.open', 'account', account.id, { products: request.body.products });
    return reply.status(201).send({ id: account.id, number: account.number });
  });

  app.post('/api/accounts/:id/blocking', { config: operator, schema: { ...tag('accounts'), summary: 'Block or unblock an account (blocks debits)', params: S.IdParams, body: S.BlockBody } }, async (request) => {
    await setAccountBlocked(db, request.params.id, request.body.blocked);
    await audit(request, request.body.blocked ? 'account.block' : 'account.unblock', 'account', request.params.id);
    return { ok: true };
  });

  app.post('/api/accounts/:id/close', { config: manager, schema: { ...tag('accounts'), summary: 'Close an account; the remainder is returned or written off', params: S.IdParams, body: S.CloseBody, response: { 200: S.LedgerAnswer } } }, async (request) => {
    const result = toAnswer(await ledger.close({ key: `staff:${request.body.idempotencyKey}`, accountId: request.params.id, disposition: request.body.disposition, createdBy: request.user!.loginKey }));
    await audit(request, 'account.close', 'account', request.params.id, { result });
    return result;
  });

  app.patch(
    '/api/accounts/:id/wallets/:product/limits',
    { config: manager, schema: { ...tag('accounts'), summary: "Set a wallet's own limits (stricter than the product's); null removes one", params: S.WalletParams, body: S.WalletLimitsBody } },
    async (request) => {
      const b = request.body;
      const set = {
        ...(b.minBalance !== undefined ? { min_balance: BigInt(b.minBalance) } : {}),
        ...(b.maxBalance !== undefined ? { max_balance: big(b.maxBalance) } : {}),
        ...(b.perOperationLimit !== undefined ? { per_operation_limit: big(b.perOperationLimit) } : {}),
        ...(b.dailyDebitLimit !== undefined ? { daily_debit_limit: big(b.dailyDebitLimit) } : {}),
        ...(b.monthlyDebitLimit !== undefined ? { monthly_debit_limit: big(b.monthlyDebitLimit) } : {}),
      };
      const updated = await db
        .updateTable('wallets')
        .set(set)
        .where('account_id', '=', request.params.id)
        .where('product_code', '=', request.params.product)
        .returning('id')
        .executeTakeFirst()
        .catch((error: { code?: string; constraint?: string }) => {
          // Raising the minimum above the current balance would break the balance rule: refuse.
          if (error.code === '23514') throw conflict('limit_conflicts_with_balance', 'The new minimum balance is above the current balance');
          throw error;
        });
      if (!updated) throw notFound('wallet_not_found', 'No such wallet');
      await audit(request, 'wallet.limits', 'account', request.params.id, { product: request.params.product, ...b });
      return { ok: true };
    },
  );

  app.get('/api/stop-list', { config: operator, schema: { ...tag('identifiers'), summary: 'The stop-list (newest first)', querystring: S.Paging } }, async (request) => ({
    items: (await db.selectFrom('stop_list').selectAll().orderBy('added_at', 'desc').limit(request.query.limit).offset(request.query.offset).execute()).map((r) => ({
      kind: r.kind,
      value: r.value,
      reason: r.reason,
      addedAt: r.added_at.toISOString(),
    })),
  }));

  app.get(
    '/api/accounts/:id/operations',
    { config: operator, schema: { ...tag('accounts'), summary: 'Account statement: operations, newest first', params: S.IdParams, querystring: S.Paging } },
    async (request) => {
      const rows = await statementQuery(db, request.params.id, request.query).execute();
      return { items: rows.map((r) => ({ operationId: r.id, type: r.type, at: r.created_at.toISOString(), merchantId: r.merchant_id, product: r.product_code, amount: Number(r.amount) })) };
    },
  );

  app.post('/api/accounts/:id/identifiers', { config: operator, schema: { ...tag('identifiers'), summary: 'Bind an identifier (card, QR, NFC, employee number)', params: S.IdParams, body: S.BindBody } }, async (request, reply) => {
    const bound = await identifiers.bind({ accountId: request.params.id, ...request.body });
    await audit(request, 'identifier.bind', 'identifier', bound.id, { accountId: request.params.id, kind: bound.kind });
    return reply.status(201).send(bound);
  });

  app.post('/api/identifiers/:id/block', { config: operator, schema: { ...tag('identifiers'), summary: 'Block an identifier (lost, stolen, destroyed); it goes on the stop-list', params: S.IdParams, body: S.IdentifierBlockBody } }, async (request) => {
    await identifiers.block(request.params.id, request.body.reason);
    await audit(request, 'identifier.block', 'identifier', request.params.id, { reason: request.body.reason });
    return { ok: true };
  });

  app.post('/api/identifiers/:id/reissue', { config: operator, schema: { ...tag('identifiers'), summary: 'Block an identifier and bind its replacement', params: S.IdParams, body: S.ReissueBody } }, async (request, reply) => {
    const bound = await identifiers.reissue(request.params.id, request.body.reason, request.body.replacement);
    await audit(request, 'identifier.reissue', 'identifier', bound.id, { replaces: request.params.id, reason: request.body.reason });
    return reply.status(201).send(bound);
  });

  app.post('/api/identifiers/:id/unbind', { config: operator, schema: { ...tag('identifiers'), summary: 'Unbind an identifier from its account', params: S.IdParams } }, async (request) => {
    await identifiers.unbind(request.params.id);
    await audit(request, 'identifier.unbind', 'identifier', request.params.id);
    return { ok: true };
  });

  app.post('/api/accounts/:id/credits', { config: settlement, schema: { ...tag('money'), summary: 'Credit a wallet', params: S.IdParams, body: S.CreditBody, response: { 200: S.LedgerAnswer } } }, async (request) => {
    const b = request.body;
    const result = toAnswer(await ledger.credit({ key: `staff:${b.idempotencyKey}`, accountId: request.params.id, product: b.product, amount: b.amount, createdBy: request.user!.loginKey }));
    await audit(request, 'ledger.credit', 'account', request.params.id, { product: b.product, amount: b.amount, result: result.status });
    return result;
  });

  app.post('/api/accounts/:id/corrections', { config: settlement, schema: { ...tag('money'), summary: 'Correct a wallet by a signed amount with a reason', params: S.IdParams, body: S.CorrectionBody, response: { 200: S.LedgerAnswer } } }, async (request) => {
    const b = request.body;
    const result = toAnswer(await ledger.correct({ key: `staff:${b.idempotencyKey}`, accountId: request.params.id, product: b.product, amount: b.amount, reason: b.reason, createdBy: request.user!.loginKey }));
    await audit(request, 'ledger.correction', 'account', request.params.id, { product: b.product, amount: b.amount, reason: b.reason, result: result.status });
    return result;
  });

  app.post('/api/operations/:id/reversal', { config: settlement, schema: { ...tag('money'), summary: 'Reverse a whole purchase', params: S.IdParams, body: S.StaffReversalBody, response: { 200: S.LedgerAnswer } } }, async (request) => {
    const result = toAnswer(await ledger.reverse({ key: `staff:${request.body.idempotencyKey}`, operationId: request.params.id, createdBy: request.user!.loginKey }));
    await audit(request, 'ledger.reversal', 'operation', request.params.id, { result: result.status });
    return result;
  });

  app.post('/api/operations/:id/refund', { config: settlement, schema: { ...tag('money'), summary: 'Refund all or part of a purchase', params: S.IdParams, body: S.StaffRefundBody, response: { 200: S.LedgerAnswer } } }, async (request) => {
    const result = toAnswer(await ledger.refund({ key: `staff:${request.body.idempotencyKey}`, operationId: request.params.id, items: request.body.items, createdBy: request.user!.loginKey }));
    await audit(request, 'ledger.refund', 'operation', request.params.id, { items: request.body.items ?? 'all', result: result.status });
    return result;
  });

  app.post('/api/accounts/:id/transfers', { config: settlement, schema: { ...tag('money'), summary: 'Transfer between two wallets of one product', params: S.IdParams, body: S.TransferBody, response: { 200: S.LedgerAnswer } } }, async (request) => {
    const b = request.body;
    const result = toAnswer(await ledger.transfer({ key: `staff:${b.idempotencyKey}`, fromAccountId: request.params.id, toAccountId: b.toAccountId, product: b.product, amount: b.amount, createdBy: request.user!.loginKey }));
    await audit(request, 'ledger.transfer', 'account', request.params.id, { to: b.toAccountId, product: b.product, amount: b.amount, result: result.status });
    return result;
  });
}
