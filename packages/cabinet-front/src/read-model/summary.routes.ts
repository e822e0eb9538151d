import type { Database, HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Pii } from '../crypto/pii.js';
import { inScope } from '../members/scope.js';
import type { CabinetFrontDb } from '../tables.js';

const consumer = { access: { roles: ['consumer'] } } as const;

const Summary = Type.Object({
  consumers: Type.Array(Type.Object({ consumerRef: Type.String(), name: Type.Optional(Type.String()), role: Type.String(), contracts: Type.Integer(), debt: Type.String(), nextDueOn: Type.Optional(Type.String()) })),
  pendingLinks: Type.Integer(),
  readingsAwaitingBilling: Type.Integer(),
  latestInvoices: Type.Array(Type.Object({ id: Type.String(), contractId: Type.String(), number: Type.String(), period: Type.String(), amount: Type.String(), dueOn: Type.Optional(Type.String()) })),
});

/** What the home page shows in one call: per consumer the contracts and debt, pending links, readings in flight, latest invoices. */
export function registerSummaryRoute(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii }) {
  const db = deps.database.db;
  app.get('/api/summary', { config: consumer, schema: { tags: ['summary'], summary: 'The home page in one call', response: { 200: Summary } } }, async (request) => {
    const userId = request.user!.id;
    const [consumers, pending, awaiting, invoices] = await Promise.all([
      db
        .selectFrom('memberships as m')
        .leftJoin('consumers as c', 'c.consumer_ref', 'm.consumer_ref')
        .select([
          'm.consumer_ref',
          'm.role',
          'c.name_enc',
          sql<string>`(select count(*) from contracts k where k.consumer_ref = m.consumer_ref)`.as('contracts'),
          sql<string>`coalesce((select sum(a.debt) from accounts a where a.consumer_ref = m.consumer_ref), 0)::text`.as('debt'),
          sql<string | null>`(select to_char(max(i.due_on), 'YYYY-MM-DD') from invoices i where i.consumer_ref = m.consumer_ref and i.kind = 'invoice')`.as('due'),
        ])
        .where('m.user_id', '=', userId)
        .where(sql<boolean>`'view' = any(m.rights)`)
        .orderBy('m.created_at')
        .limit(50)
        .execute(),
      db.selectFrom('link_requests').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('status', '=', 'pending').executeTakeFirstOrThrow(),
      db.selectFrom('readings').select((eb) => eb.fn.countAll<string>().as('n')).where(inScope(userId, 'view')).where('status', '=', 'sent').executeTakeFirstOrThrow(),
      db
        .selectFrom('invoices')
        .select(['id', 'contract_id', 'number', 'period', 'amount', sql<string | null>`to_char(due_on, 'YYYY-MM-DD')`.as('due')])
        .where(inScope(userId, 'view'))
        .where('kind', '=', 'invoice')
        .orderBy('issued_on', 'desc')
        .orderBy('id')
        .limit(3)
        .execute(),
    ]);
    return {
      consumers: consumers.map((c) => {
        const name = deps.pii.open('consumers', 'name_enc', c.consumer_ref, c.name_enc);
        return { consumerRef: c.consumer_ref, ...(name ? { name } : {}), role: c.role, contracts: Number(c.contracts), debt: c.debt, ...(c.due && BigInt(c.debt) > 0n ? { nextDueOn: c.due } : {}) };
      }),
      pendingLinks: Number(pending.n),
      readingsAwaitingBilling: Number(awaiting.n),
      latestInvoices: invoices.map((i) => ({ id: i.id, contractId: i.contract_id, number: i.number, period: i.period, amount: String(i.amount), ...(i.due ? { dueOn: i.due } : {}) })),
    };
  });
}
