import { notFound, type Database, type HttpApp, type Logger } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { describeConsumerUser } from '../auth/consumer-users.repo.js';
import type { Pii } from '../crypto/pii.js';
import { pageOf } from '../paging.js';
import * as S from '../read-model/data.schema.js';
import type { CabinetFrontDb } from '../tables.js';
import './members.tables.js';
import { rightsFor } from './scope.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a state-changing route did, in the history's words (other routes are named by method and path). */
const actionNames: Record<string, string> = {
  'POST /api/readings': 'readings_submitted',
  'POST /api/payments/orders': 'payment_order_created',
  'POST /api/documents/:documentId/signatures': 'document_signed',
  'POST /api/documents/:documentId/simple-signature': 'signature_code_requested',
  'POST /api/documents/:documentId/simple-signature/:challengeId/confirm': 'document_signed',
  'POST /api/requests': 'request_created',
  'POST /api/requests/:requestId/messages': 'request_message',
  'POST /api/requests/:requestId/close': 'request_closed',
  'POST /api/applications': 'application_created',
  'PATCH /api/applications/:applicationId': 'application_changed',
  'POST /api/applications/:applicationId/submit': 'application_submitted',
  'POST /api/applications/:applicationId/withdraw': 'application_withdrawn',
  'POST /api/applications/:applicationId/messages': 'application_message',
  'POST /api/consumers/:consumerRef/invitations': 'representative_invited',
  'DELETE /api/consumers/:consumerRef/invitations/:invitationId': 'invitation_withdrawn',
  'POST /api/invitations/accept': 'representative_joined',
  'PUT /api/consumers/:consumerRef/members/:userId': 'representative_rights_changed',
  'DELETE /api/consumers/:consumerRef/members/:userId': 'representative_revoked',
};

const field = (value: unknown, name: string): string | undefined => {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : undefined;
};

/** Whose action it was, and on which contract when it concerns one. */
interface Subject {
  consumerRef: string;
  contractId?: string;
}

/**
 * The consumer's history of actions: every state-changing call of a consumer user that succeeded is
 * written here by one hook, for every route (present and future), with who, when and what. The
 * consumer — and the contract, when the action concerns one — is found from the call (path, body,
 * answer) or from the meter, request or document it acted on; the contract's consumer is the one
 * written, whatever the call said. The row is written as the answer goes out; a failure to write it
 * is logged, not turned into a failed answer of an action that already happened.
 */
export function registerActionJournal(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii; logger: Logger }) {
  const db = deps.database.db;

  const ofContract = async (contractId: string | undefined): Promise<Subject | undefined> => {
    if (!contractId) return undefined;
    const row = await db.selectFrom('contracts').select(['id', 'consumer_ref']).where('id', '=', contractId).executeTakeFirst();
    return row && { consumerRef: row.consumer_ref, contractId: row.id };
  };
  const ofMeter = async (meterId: string | undefined): Promise<Subject | undefined> => {
    if (!meterId) return undefined;
    const row = await db.selectFrom('meters').select(['consumer_ref', 'contract_id']).where('id', '=', meterId).executeTakeFirst();
    return row && { consumerRef: row.consumer_ref, contractId: row.contract_id };
  };
  const ofPoint = async (pointId: string | undefined): Promise<Subject | undefined> => {
    if (!pointId) return undefined;
    const row = await db.selectFrom('metering_points').select(['consumer_ref', 'contract_id']).where('id', '=', pointId).executeTakeFirst();
    return row && { consumerRef: row.consumer_ref, contractId: row.contract_id };
  };
  /** A request's typed form names its contract, metering point or old meter (see requests.schema.ts). */
  const ofRequestFields = async (fields: unknown): Promise<Subject | undefined> =>
    (await ofContract(field(fields, 'contractId'))) ??
    (await ofPoint(field(fields, 'meteringPointId'))) ??
    (await ofMeter(field(fields && typeof fields === 'object' ? (fields as { oldMeter?: unknown }).oldMeter : undefined, 'meterId')));

  const subjectOf = async (request: FastifyRequest, answer: unknown): Promise<Subject | undefined> => {
    const { params, body } = request;
    const byContract = (await ofContract(field(params, 'contractId') ?? field(body, 'contractId') ?? field(answer, 'contractId'))) ?? (await ofRequestFields(body && typeof body === 'object' ? (body as { fields?: unknown }).fields : undefined));
    if (byContract) return byContract;
    const readings = body && typeof body === 'object' ? (body as { readings?: unknown }).readings : undefined;
    const byMeter = await ofMeter(Array.isArray(readings) ? field(readings[0], 'meterId') : field(body, 'meterId'));
    if (byMeter) return byMeter;
    const requestId = field(params, 'requestId');
    if (requestId) {
      const row = await db.selectFrom('requests').select(['id', 'consumer_ref', 'fields_enc']).where('id', '=', requestId).executeTakeFirst();
      if (!row?.consumer_ref) return undefined;
      const fields: unknown = JSON.parse(deps.pii.open('requests', 'fields_enc', row.id, row.fields_enc));
      const concerned = await ofRequestFields(fields);
      return concerned?.consumerRef === row.consumer_ref ? concerned : { consumerRef: row.consumer_ref };
    }
    const documentId = field(params, 'documentId');
    if (documentId) {
      const row = await db
        .selectFrom('documents')
        .leftJoin('applications', 'applications.id', 'documents.application_id')
        .select(['documents.consumer_ref as own', 'documents.contract_number', 'applications.consumer_ref as applicant'])
        .where('documents.id', '=', documentId)
        .executeTakeFirst();
      const consumerRef = row?.own ?? row?.applicant;
      if (!consumerRef) return undefined;
      const contract = row?.contract_number ? await db.selectFrom('contracts').select('id').where('consumer_ref', '=', consumerRef).where('number', '=', row.contract_number).executeTakeFirst() : undefined;
      return { consumerRef, ...(contract ? { contractId: contract.id } : {}) };
    }
    const direct = field(params, 'consumerRef') ?? field(body, 'consumerRef') ?? field(answer, 'consumerRef');
    if (direct) return { consumerRef: direct };
    const applicationId = field(params, 'applicationId') ?? field(answer, 'applicationId');
    if (applicationId) {
      const consumerRef = (await db.selectFrom('applications').select('consumer_ref').where('id', '=', applicationId).executeTakeFirst())?.consumer_ref;
      return consumerRef ? { consumerRef } : undefined;
    }
    return undefined;
  };

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.user || !UNSAFE.has(request.method) || reply.statusCode >= 400 || !request.user.roles.includes('consumer')) return payload;
    const route = request.routeOptions.url;
    if (!route?.startsWith('/api/')) return payload;
    try {
      let answer: unknown;
      if (typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').includes('json')) answer = JSON.parse(payload);
      const subject = await subjectOf(request, answer);
      if (!subject) return payload;
      const membership = await rightsFor(db, request.user.id, subject.consumerRef);
      // A contract named in a call is only a claim: an action of someone who does not act for that
      // contract's consumer is not written into that consumer's history.
      if (!membership && subject.contractId) return payload;
      await db
        .insertInto('consumer_actions')
        .values({
          consumer_ref: subject.consumerRef,
          contract_id: subject.contractId ?? null,
          user_id: request.user.id,
          role: membership?.role ?? 'former',
          action: actionNames[`${request.method} ${route}`] ?? `${request.method.toLowerCase()} ${route}`,
          method: request.method,
          route,
          status: reply.statusCode,
          request_id: request.id,
        })
        .execute();
    } catch (err) {
      deps.logger.error({ err, route }, 'action not written to the consumer history');
    }
    return payload;
  });
}

const HistoryItem = Type.Object({
  at: Type.String({ format: 'date-time' }),
  userId: Type.Union([Type.String(), Type.Null()]),
  login: Type.String(),
  displayName: Type.String(),
  role: Type.String({ description: 'owner | representative (at the time)' }),
  action: Type.String({ description: 'readings_submitted, payment_order_created, document_signed, request_created, …' }),
  contractId: Type.Optional(Type.String({ description: 'The contract the action concerned, when it concerned one' })),
  contractNumber: Type.Optional(Type.String()),
  method: Type.String(),
  route: Type.String(),
});

/** GET /api/consumers/:consumerRef/history: owners see everyone's actions, representatives their own. */
export function registerHistoryRoute(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii }) {
  const db = deps.database.db;
  app.get(
    '/api/consumers/:consumerRef/history',
    {
      config: { access: { roles: ['consumer'] } },
      schema: {
        tags: ['consumers'],
        summary: "The consumer's history: who did what and when (owners see everyone, representatives themselves)",
        params: S.ConsumerParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
            action: Type.Optional(Type.String({ maxLength: 80 })),
            contractId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only this contract's actions" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(HistoryItem) },
      },
    },
    async (request) => {
      const { consumerRef } = request.params;
      const { limit = 50, offset = 0, action, contractId } = request.query;
      const membership = await rightsFor(db, request.user!.id, consumerRef);
      if (!membership || !membership.rights.includes('view')) throw notFound('consumer_not_found', 'No such consumer');
      let query = db.selectFrom('consumer_actions').where('consumer_ref', '=', consumerRef);
      if (membership.role !== 'owner') query = query.where('user_id', '=', request.user!.id);
      if (action) query = query.where('action', '=', action);
      if (contractId) query = query.where('contract_id', '=', contractId);
      const [rows, total, contracts] = await Promise.all([
        query.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
        query.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        db.selectFrom('contracts').select(['id', 'number']).where('consumer_ref', '=', consumerRef).execute(),
      ]);
      const numbers = new Map(contracts.map((c) => [c.id, c.number]));
      const people = new Map<string, { login: string; displayName: string }>();
      for (const id of new Set(rows.map((r) => r.user_id).filter((v): v is string => v !== null))) {
        const view = await describeConsumerUser(db, deps.pii, id);
        people.set(id, { login: view?.login ?? '', displayName: view?.displayName ?? '' });
      }
      return {
        items: rows.map((r) => ({ at: r.at.toISOString(), userId: r.user_id, ...(people.get(r.user_id ?? '') ?? { login: '', displayName: '' }), role: r.role, action: r.action, ...(r.contract_id ? { contractId: r.contract_id, ...(numbers.has(r.contract_id) ? { contractNumber: numbers.get(r.contract_id)! } : {}) } : {}), method: r.method, route: r.route })),
        total: Number(total.n),
        limit,
        offset,
      };
    },
  );
}
