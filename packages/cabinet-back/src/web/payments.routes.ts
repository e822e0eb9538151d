import { eventTopics, paymentTopics, type Payment, type PaymentRegistered } from '@app/cabinet-contracts';
import type { Database, HttpApp } from '@app/kernel';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { eventId } from '../message-ids.js';
import type { CabinetBackDb } from '../tables.js';

/**
 * Card payments the cabinet asked the back to register in billing (`cabinet.cmd.payment.register`), as
 * the back answered them: booked (with billing's payment: contract, date, document) or refused (the
 * money was taken, an employee has to act). Read from the back's own outbox — the `payment.registered`
 * answer of each command and the `payment.booked` beside it (same cause, first event) — so the list
 * needs no table of its own and shows exactly what the front was told. Commands that could never apply
 * (a consumer not linked) are on the dead commands list.
 */
const PaymentRow = Type.Object({
  orderId: Type.String(),
  consumerRef: Type.String(),
  status: Type.Union([Type.Literal('booked'), Type.Literal('refused')]),
  amount: Type.String({ description: 'kopecks' }),
  paymentId: Type.Union([Type.String(), Type.Null()]),
  contractId: Type.Union([Type.String(), Type.Null()]),
  paidOn: Type.Union([Type.String(), Type.Null()]),
  document: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  registeredAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const PaymentsQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('booked'), Type.Literal('refused')])),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);

export function registerPaymentRoutes(app: HttpApp, deps: { database: Database<CabinetBackDb> }) {
  const db = deps.database.db;
  app.get(
    '/api/back-office/payments',
    {
      config: { access: { roles: ['employee'] } },
      schema: {
        tags: ['payments'],
        summary: 'Card payments registered to billing through the back, newest first',
        querystring: PaymentsQuery,
        response: { 200: Type.Object({ items: Type.Array(PaymentRow), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }) },
      },
    },
    async (request) => {
      const { status, limit, offset } = request.query;
      let query = db.selectFrom('outbox').where('topic', '=', paymentTopics.registered);
      if (status) query = query.where(sql<string>`payload->>'status'`, '=', status);
      const [rows, count] = await Promise.all([
        query.select(['payload', 'created_at', 'published_at']).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
        query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      ]);
      const answers = rows.map((r) => ({ ...r, payload: r.payload as PaymentRegistered }));
      // The command's events are [payment.booked, account.changed?, payment.registered]; when booked the first is the payment.
      const twinIds = answers.filter((a) => a.payload.status === 'booked').map((a) => eventId('command', a.payload.orderId, 0));
      const twins = twinIds.length ? await db.selectFrom('outbox').select(['message_id', 'payload']).where('message_id', 'in', twinIds).where('topic', '=', eventTopics.paymentBooked).execute() : [];
      const booked = new Map(twins.map((t) => [t.message_id, (t.payload as { payment: Payment }).payment]));
      return {
        items: answers.map(({ payload: p, created_at, published_at }) => {
          const payment = p.status === 'booked' ? booked.get(eventId('command', p.orderId, 0)) : undefined;
          return {
            orderId: p.orderId,
            consumerRef: p.consumerRef,
            status: p.status,
            amount: p.amount,
            paymentId: p.paymentId ?? null,
            contractId: payment?.contractId ?? null,
            paidOn: payment?.paidOn ?? null,
            document: payment?.document ?? null,
            code: p.code ?? null,
            message: p.message ?? null,
            registeredAt: created_at.toISOString(),
            publishedAt: published_at?.toISOString() ?? null,
          };
        }),
        total: count.n,
        limit,
        offset,
      };
    },
  );
}
