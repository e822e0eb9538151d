import { notFound, recordAudit, auditContext, type Database, type HttpApp } from '@app/kernel';
import { toAnswer } from '../ledger/answer.js';
import type { Ledger } from '../ledger/ledger.service.js';
import { LedgerAnswer } from '../staff/staff.schema.js';
import type { PrepaidDb } from '../tables.js';
import { scopeRole } from './api-key.js';
import * as S from './partner.schema.js';

/**
 * The REST API for partner (customer) systems, under /api/partner/v1, authenticated by API key
 * (partner-auth.ts). The program is one closed loop per installation, so a partner with a scope sees
 * every account of the program; partners are told apart in the journal and in idempotency keys.
 */
const read = { access: { roles: [scopeRole('accounts:read')] } } as const;
const credit = { access: { roles: [scopeRole('credits:write')] } } as const;
const security = [{ partnerKey: [] }];

/** The API's non-cookie callers, for the OpenAPI document: terminals (POS API) and partner systems. */
export const partnerSecurityScheme = {
  terminal: { type: 'http', scheme: 'basic', description: 'Terminal code and secret (POS API)' },
  partnerKey: { type: 'http', scheme: 'bearer', bearerFormat: 'pk_<id>_<secret>', description: 'Partner API key issued by a manager in the workplace' },
} as const;

export function registerPartnerRoutes(app: HttpApp, deps: { database: Database<PrepaidDb>; ledger: Ledger }) {
  const db = deps.database.db;
  const tags = ['partner API'];

  const accountsOf = async (where: { clientId?: string; number?: string }) => {
    let query = db
      .selectFrom('accounts as a')
      .innerJoin('wallets as w', 'w.account_id', 'a.id')
      .select(['a.id', 'a.number', 'a.status', 'w.product_code', 'w.balance', 'w.min_balance', 'w.max_balance'])
      .orderBy('a.number')
      .orderBy('w.product_code');
    if (where.clientId) query = query.where('a.client_id', '=', where.clientId);
    if (where.number) query = query.where('a.number', '=', where.number);
    const rows = await query.execute();
    const accounts = new Map<string, { id: string; number: string; status: string; wallets: Array<{ product: string; balance: number; minBalance: number; maxBalance: number | null }> }>();
    for (const r of rows) {
      const account = accounts.get(r.id) ?? { id: r.id, number: r.number, status: r.status, wallets: [] };
      account.wallets.push({ product: r.product_code, balance: Number(r.balance), minBalance: Number(r.min_balance), maxBalance: r.max_balance === null ? null : Number(r.max_balance) });
      accounts.set(r.id, account);
    }
    return [...accounts.values()];
  };

  app.get(
    '/api/partner/v1/clients/:externalId',
    { config: read, schema: { tags, security, summary: "A client by the partner's id, with accounts and balances (kopecks)", params: S.ClientParams, response: { 200: S.ClientView } } },
    async (request) => {
      const client = await db.selectFrom('clients').select(['id', 'external_id', 'full_name', 'status']).where('external_id', '=', request.params.externalId).executeTakeFirst();
      if (!client) throw notFound('client_not_found', 'No client with this external id');
      const accounts = await accountsOf({ clientId: client.id });
      return { externalId: client.external_id!, fullName: client.full_name, status: client.status, accounts: accounts.map(({ id: _id, ...a }) => a) };
    },
  );

  app.get(
    '/api/partner/v1/accounts/:number',
    { config: read, schema: { tags, security, summary: 'An account and its wallet balances (kopecks)', params: S.AccountParams, response: { 200: S.AccountView } } },
    async (request) => {
      const [account] = await accountsOf({ number: request.params.number });
      if (!account) throw notFound('account_not_found', 'No account with this number');
      const { id: _id, ...view } = account;
      return view;
    },
  );

  app.post(
    '/api/partner/v1/accounts/:number/credits',
    {
      config: credit,
      schema: { tags, security, summary: 'Credit a wallet (idempotent by the partner key)', params: S.AccountParams, body: S.PartnerCredit, response: { 200: LedgerAnswer } },
    },
    async (request) => {
      const account = await db.selectFrom('accounts').select('id').where('number', '=', request.params.number).executeTakeFirst();
      if (!account) throw notFound('account_not_found', 'No account with this number');
      const b = request.body;
      const partner = request.user!.loginKey;
      const result = toAnswer(await deps.ledger.credit({ key: `${partner}:${b.idempotencyKey}`, accountId: account.id, product: b.product, amount: b.amount, createdBy: partner }));
      await recordAudit(db, { ...auditContext(request), action: 'ledger.credit', targetType: 'account', targetId: account.id, details: { product: b.product, amount: b.amount, result: result.status, via: 'partner_api' } });
      return result;
    },
  );
}
