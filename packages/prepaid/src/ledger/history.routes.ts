import { auditContext, badRequest, notFound, recordAudit, type Database, type HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { PrepaidDb } from '../tables.js';
import { balanceAt, statement } from './history.js';
import { systemAccountBalances } from './rollup.js';

/**
 * Staff API of the ledger's history and rules added by issue 12: balances at a point in time, statements with
 * their opening balance, merchants' balances (rolled up, exact), velocity rules of products and wallets.
 */
const operator = { access: { roles: ['operator'] } } as const;
const settlement = { access: { roles: ['settlement'] } } as const;
const manager = { access: { roles: ['manager'] } } as const;

const Uuid = Type.String({ format: 'uuid' });
const WalletParams = Type.Object({ id: Uuid, product: Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$' }) });
const AtQuery = Type.Object({ at: Type.Optional(Type.String({ format: 'date-time', description: 'The instant; now when absent' })) }, { additionalProperties: false });
const PeriodQuery = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    limit: Type.Integer({ minimum: 1, maximum: 5_000, default: 500 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
const VelocityRule = Type.Object(
  {
    windowSeconds: Type.Integer({ minimum: 1, maximum: 31 * 86_400 }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000_000 })),
  },
  { additionalProperties: false },
);
const Rule = Type.Union([VelocityRule, Type.Null()]);
const ProductVelocityBody = Type.Object({ wallet: Type.Optional(Rule), identifier: Type.Optional(Rule) }, { additionalProperties: false });
const WalletVelocityBody = Type.Object({ wallet: Rule }, { additionalProperties: false });

type RuleValue = { windowSeconds: number; count?: number; amount?: number } | null;
const ruleColumns = (rule: RuleValue) => {
  if (rule && rule.count === undefined && rule.amount === undefined) throw badRequest('velocity_rule_empty', 'A velocity rule limits a count, an amount or both', 'count');
  return { window: rule?.windowSeconds ?? null, count: rule?.count ?? null, amount: rule?.amount === undefined || !rule ? null : BigInt(rule.amount) };
};

export function registerLedgerHistoryRoutes(app: HttpApp, deps: { database: Database<PrepaidDb>; timeZone?: string }) {
  const db = deps.database.db;
  const timeZone = deps.timeZone ?? 'Europe/Moscow';
  const tags = ['accounts'];
  const walletOf = async (accountId: string, product: string) => {
    const w = await db.selectFrom('wallets').select('id').where('account_id', '=', accountId).where('product_code', '=', product).executeTakeFirst();
    if (!w) throw notFound('wallet_not_found', 'No such wallet');
    return w.id;
  };
  const instant = (value: string, field: string) => {
    const d = new Date(value);
    if (Number.isNaN(d.getTime())) throw badRequest('date_invalid', 'Not a date-time', field);
    return d;
  };

  app.get(
    '/api/accounts/:id/balance',
    { config: operator, schema: { tags, summary: "The account's wallet balances at a point in time (from the journal; end-of-day snapshots as a start)", params: Type.Object({ id: Uuid }), querystring: AtQuery } },
    async (request) => {
      const at = request.query.at ? instant(request.query.at, 'at') : new Date();
      const wallets = await db.selectFrom('wallets').select('id').where('account_id', '=', request.params.id).orderBy('product_code').execute();
      if (wallets.length === 0) throw notFound('account_not_found', 'No such account or it has no wallets');
      const balances = [];
      for (const w of wallets) {
        const b = (await balanceAt(db, w.id, at, timeZone))!;
        balances.push({ product: b.product, balance: Number(b.balance), fromSnapshot: b.fromSnapshot });
      }
      return { accountId: request.params.id, at: at.toISOString(), balances };
    },
  );

  app.get(
    '/api/accounts/:id/wallets/:product/statement',
    { config: operator, schema: { tags, summary: 'A wallet statement for [from, to): opening balance at from, lines with running balance, closing balance at to', params: WalletParams, querystring: PeriodQuery } },
    async (request) => {
      const from = instant(request.query.from, 'from');
      const to = instant(request.query.to, 'to');
      if (to.getTime() <= from.getTime()) throw badRequest('period_invalid', 'to must be after from', 'to');
      const s = (await statement(db, await walletOf(request.params.id, request.params.product), from, to, request.query, timeZone))!;
      return {
        product: s.product,
        from: s.from.toISOString(),
        to: s.to.toISOString(),
        openingBalance: Number(s.openingBalance),
        closingBalance: Number(s.closingBalance),
        fromSnapshot: s.fromSnapshot,
        total: s.total,
        lines: s.lines.map((l) => ({
          operationId: l.operationId,
          seq: Number(l.seq),
          type: l.type,
          createdAt: l.createdAt.toISOString(),
          amount: Number(l.amount),
          balanceAfter: Number(l.balanceAfter),
          merchantId: l.merchantId,
          terminalId: l.terminalId,
          originalOperationId: l.originalOperationId,
        })),
      };
    },
  );

  app.get(
    '/api/merchants/:id/balance',
    { config: settlement, schema: { tags: ['directories'], summary: "A merchant's balance per product: rolled up in the background plus the postings since (exact)", params: Type.Object({ id: Uuid }) } },
    async (request) => ({
      merchantId: request.params.id,
      balances: (await systemAccountBalances(db, { kind: 'merchant', merchantId: request.params.id })).map((b) => ({ product: b.product, balance: Number(b.balance) })),
    }),
  );

  app.put(
    '/api/products/:code/velocity',
    { config: manager, schema: { tags: ['directories'], summary: "A product's velocity rules: per wallet and per identifier (null removes)", params: Type.Object({ code: Type.String() }), body: ProductVelocityBody } },
    async (request) => {
      const b = request.body;
      const wallet = b.wallet === undefined ? undefined : ruleColumns(b.wallet);
      const identifier = b.identifier === undefined ? undefined : ruleColumns(b.identifier);
      const { rows } = await sql<{ code: string }>`
        update products set
          velocity_window_seconds = ${wallet ? wallet.window : sql`velocity_window_seconds`}, velocity_count = ${wallet ? wallet.count : sql`velocity_count`}, velocity_amount = ${wallet ? wallet.amount : sql`velocity_amount`},
          identifier_velocity_window_seconds = ${identifier ? identifier.window : sql`identifier_velocity_window_seconds`},
          identifier_velocity_count = ${identifier ? identifier.count : sql`identifier_velocity_count`},
          identifier_velocity_amount = ${identifier ? identifier.amount : sql`identifier_velocity_amount`}
        where code = ${request.params.code} returning code`.execute(db);
      if (!rows[0]) throw notFound('product_not_found', 'No such product');
      await recordAudit(db, { ...auditContext(request), action: 'product.velocity', targetType: 'product', targetId: request.params.code, details: { ...b } });
      return { ok: true };
    },
  );

  app.put(
    '/api/accounts/:id/wallets/:product/velocity',
    { config: manager, schema: { tags, summary: "A wallet's own velocity rule, applied besides its product's (null removes)", params: WalletParams, body: WalletVelocityBody } },
    async (request) => {
      const rule = ruleColumns(request.body.wallet);
      const walletId = await walletOf(request.params.id, request.params.product);
      await sql`update wallets set velocity_window_seconds = ${rule.window}, velocity_count = ${rule.count}, velocity_amount = ${rule.amount} where id = ${walletId}`.execute(db);
      await recordAudit(db, { ...auditContext(request), action: 'wallet.velocity', targetType: 'account', targetId: request.params.id, details: { product: request.params.product, ...request.body } });
      return { ok: true };
    },
  );
}
