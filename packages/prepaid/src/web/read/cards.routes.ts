import { notFound, type Database, type HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import type { PrepaidDb } from '../../tables.js';
import * as S from './read.schema.js';

/** The client card and the directory lists of the workplace (the staff API has the writes). */
const operator = { access: { roles: ['operator'] } } as const;
const num = (v: bigint | null) => (v === null ? null : Number(v));
const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function registerCardRoutes(app: HttpApp, deps: { database: Database<PrepaidDb> }) {
  const db = deps.database.db;

  app.get('/api/staff/clients/:id', { config: operator, schema: { tags: ['clients'], summary: 'Client card: contacts, accounts with wallets and limits, identifiers', params: S.IdParams, response: { 200: S.ClientCard } } }, async (request) => {
    const client = await db.selectFrom('clients').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!client) throw notFound('client_not_found', 'No such client');
    const accounts = await db.selectFrom('accounts').selectAll().where('client_id', '=', client.id).orderBy('created_at').execute();
    const ids = accounts.map((a) => a.id);
    const wallets = ids.length
      ? await db.selectFrom('wallets as w').innerJoin('products as p', 'p.code', 'w.product_code').selectAll('w').select('p.name as product_name').where('w.account_id', 'in', ids).orderBy('w.product_code').execute()
      : [];
    const identifiers = ids.length ? await db.selectFrom('identifiers').selectAll().where('account_id', 'in', ids).orderBy('created_at', 'desc').execute() : [];
    return {
      id: client.id,
      fullName: client.full_name,
      phone: client.phone,
      email: client.email,
      externalId: client.external_id,
      status: client.status,
      createdAt: client.created_at.toISOString(),
      accounts: accounts.map((a) => ({
        id: a.id,
        number: a.number,
        status: a.status,
        createdAt: a.created_at.toISOString(),
        wallets: wallets
          .filter((w) => w.account_id === a.id)
          .map((w) => ({
            product: w.product_code,
            productName: w.product_name,
            balance: Number(w.balance),
            minBalance: Number(w.min_balance),
            maxBalance: num(w.max_balance),
            perOperationLimit: num(w.per_operation_limit),
            dailyDebitLimit: num(w.daily_debit_limit),
            monthlyDebitLimit: num(w.monthly_debit_limit),
            closed: w.closed,
          })),
        identifiers: identifiers
          .filter((i) => i.account_id === a.id)
          .map((i) => ({ id: i.id, kind: i.kind, value: i.value, status: i.status, blockReason: i.block_reason, createdAt: i.created_at.toISOString() })),
      })),
    };
  });

  app.get('/api/staff/merchants', { config: operator, schema: { tags: ['directories'], summary: 'Merchants with their provider and accepted products (paged, filtered by code or name)', querystring: S.DirectoryQuery, response: { 200: S.MerchantList } } }, async (request) => {
    const { q, limit, offset } = request.query;
    const where = q ? sql`where m.code ilike ${like(q)} or m.name ilike ${like(q)}` : sql``;
    const { rows } = await sql<{ id: string; code: string; name: string; status: string; provider_id: string | null; provider_name: string | null; products: string[]; total: string }>`
      select m.id, m.code, m.name, m.status, m.provider_id, sp.name as provider_name,
             coalesce((select array_agg(mp.product_code order by mp.product_code) from merchant_products mp where mp.merchant_id = m.id), '{}') as products,
             count(*) over () as total
      from merchants m left join service_providers sp on sp.id = m.provider_id ${where}
      order by m.code limit ${limit} offset ${offset}`.execute(db);
    return { items: rows.map((r) => ({ id: r.id, code: r.code, name: r.name, status: r.status, providerId: r.provider_id, providerName: r.provider_name, products: r.products })), total: Number(rows[0]?.total ?? 0) };
  });

  app.get('/api/staff/terminals', { config: operator, schema: { tags: ['directories'], summary: 'Terminals (paged, by merchant or code)', querystring: S.TerminalQuery, response: { 200: S.TerminalList } } }, async (request) => {
    const { q, merchantId, limit, offset } = request.query;
    let query = db.selectFrom('terminals as t').innerJoin('merchants as m', 'm.id', 't.merchant_id');
    if (merchantId) query = query.where('t.merchant_id', '=', merchantId);
    if (q) query = query.where('t.code', 'ilike', like(q));
    const [rows, total] = await Promise.all([
      query.select(['t.id', 't.code', 't.status', 't.merchant_id', 'm.name as merchant_name', 't.created_at']).orderBy('t.code').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map((r) => ({ id: r.id, code: r.code, status: r.status, merchantId: r.merchant_id, merchantName: r.merchant_name, createdAt: r.created_at.toISOString() })), total: Number(total.n) };
  });

  app.get('/api/staff/service-providers', { config: operator, schema: { tags: ['directories'], summary: 'Service providers (paged)', querystring: S.DirectoryQuery, response: { 200: S.ProviderList } } }, async (request) => {
    const { q, limit, offset } = request.query;
    let query = db.selectFrom('service_providers');
    if (q) query = query.where((eb) => eb.or([eb('code', 'ilike', like(q)), eb('name', 'ilike', like(q))]));
    const [rows, total] = await Promise.all([
      query.select(['id', 'code', 'name']).orderBy('code').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows, total: Number(total.n) };
  });
}
