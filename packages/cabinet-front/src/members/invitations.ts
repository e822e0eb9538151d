import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { badRequest, conflict, forbidden, notFound, recordAudit, auditContext, type Database, type HttpApp, type Logger } from '@app/kernel';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { parseEmail } from '../auth/contact.js';
import { describeConsumerUser } from '../auth/consumer-users.repo.js';
import type { Pii } from '../crypto/pii.js';
import type { Notifier } from '../notifications/notifier.js';
import * as S from '../read-model/data.schema.js';
import { allRights, type CabinetFrontDb, type Right } from '../tables.js';
import './members.tables.js';
import { rightsFor } from './scope.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['consumers'];
const RightSchema = Type.Union(allRights.map((r) => Type.Literal(r)));
const Rights = Type.Array(RightSchema, { minItems: 1, maxItems: 4, uniqueItems: true, description: '"view" is always included' });
const Invitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  rights: Type.Array(Type.String()),
  status: Type.String({ description: 'pending | accepted | revoked | expired' }),
  expiresAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});
const InvitationParams = Type.Object({ consumerRef: S.ConsumerParams.properties.consumerRef, invitationId: Type.String({ format: 'uuid' }) });
const MemberParams = Type.Object({ consumerRef: S.ConsumerParams.properties.consumerRef, userId: Type.String({ format: 'uuid' }) });

export interface InvitationOptions {
  notifier: Notifier;
  /** The cabinet's address, for the link in the e-mail. */
  publicUrl: () => string;
  /** How long an invitation stays open (default 7 days). */
  validDays?: number;
  logger: Logger;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');
const withView = (rights: readonly Right[]): Right[] => allRights.filter((r) => r === 'view' || rights.includes(r));

/**
 * Representatives: an owner invites a person by e-mail with chosen rights (view, submit readings,
 * pay, sign); the e-mail carries a one-time link; the invitee, logged in with that same e-mail,
 * accepts and becomes a member with those rights. The owner lists invitations and members, changes
 * rights, and revokes — at once, since every route checks the membership on each request.
 */
export function registerInvitationRoutes(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii; options: InvitationOptions }) {
  const db = deps.database.db;
  const { pii, options } = deps;

  const requireOwner = async (request: FastifyRequest, consumerRef: string) => {
    const membership = await rightsFor(db, request.user!.id, consumerRef);
    if (!membership || !membership.rights.includes('view')) throw notFound('consumer_not_found', 'No such consumer');
    if (membership.role !== 'owner') throw forbidden('owner_only', 'Only an owner manages who acts for the consumer');
  };
  const shown = (row: { id: string; consumer_ref: string; email_enc: string; rights: string[]; status: string; expires_at: Date; created_at: Date }) => ({
    id: row.id,
    email: pii.open('invitations', 'email_enc', row.id, row.email_enc),
    rights: row.rights,
    status: row.status === 'pending' && row.expires_at <= new Date() ? 'expired' : row.status,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  });

  app.post(
    '/api/consumers/:consumerRef/invitations',
    {
      config: consumer,
      schema: {
        tags,
        summary: 'Invite a representative by e-mail with chosen rights (owners only); the e-mail carries a one-time link',
        params: S.ConsumerParams,
        body: Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }), rights: Rights }, { additionalProperties: false }),
        response: { 201: Type.Intersect([Invitation, Type.Object({ emailed: Type.Boolean() })]) },
      },
    },
    async (request, reply) => {
      const { consumerRef } = request.params;
      await requireOwner(request, consumerRef);
      const contact = parseEmail(request.body.email);
      if (!contact) throw badRequest('email_invalid', 'This is not an e-mail address', 'email');
      const id = randomUUID();
      const token = randomBytes(32).toString('base64url');
      const row = await deps.database.transaction(async (trx) => {
        const inserted = await trx
          .insertInto('invitations')
          .values({
            id,
            consumer_ref: consumerRef,
            email_enc: pii.seal('invitations', 'email_enc', id, contact.value),
            rights: withView(request.body.rights),
            token_hash: tokenHash(token),
            invited_by: request.user!.id,
            expires_at: sql<Date>`now() + make_interval(days => ${options.validDays ?? 7})`,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, { ...auditContext(request), action: 'member.invite', targetType: 'consumer', targetId: consumerRef, details: { invitationId: id, rights: inserted.rights } });
        return inserted;
      });
      const owner = await describeConsumerUser(db, pii, request.user!.id);
      const link = `${options.publicUrl().replace(/\/$/, '')}/invitations/accept?token=${token}`;
      const emailed = await options.notifier
        .send({
          to: contact.value,
          subject: 'Приглашение в личный кабинет потребителя электроэнергии',
          text: [
            `${owner?.displayName || owner?.login || 'Владелец договора'} приглашает вас представлять потребителя в личном кабинете.`,
            `Права: ${row.rights.join(', ')}.`,
            `Чтобы принять приглашение, войдите или зарегистрируйтесь с этим адресом и откройте ссылку (действует до ${row.expires_at.toISOString().slice(0, 10)}):`,
            link,
            `Код приглашения: ${token}`,
          ].join('\n'),
        })
        .then(() => true)
        .catch((err: unknown) => {
          options.logger.warn({ err, invitationId: id }, 'invitation e-mail not sent');
          return false;
        });
      return reply.status(201).send({ ...shown(row), emailed });
    },
  );

  app.get(
    '/api/consumers/:consumerRef/invitations',
    { config: consumer, schema: { tags, summary: 'Invitations sent for this consumer (owners only)', params: S.ConsumerParams, response: { 200: Type.Object({ items: Type.Array(Invitation) }) } } },
    async (request) => {
      await requireOwner(request, request.params.consumerRef);
      const rows = await db.selectFrom('invitations').selectAll().where('consumer_ref', '=', request.params.consumerRef).orderBy('created_at', 'desc').limit(200).execute();
      return { items: rows.map(shown) };
    },
  );

  app.delete(
    '/api/consumers/:consumerRef/invitations/:invitationId',
    { config: consumer, schema: { tags, summary: 'Withdraw an invitation not yet accepted (owners only)', params: InvitationParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await requireOwner(request, request.params.consumerRef);
      const done = await db
        .updateTable('invitations')
        .set({ status: 'revoked', decided_at: sql<Date>`now()` })
        .where('id', '=', request.params.invitationId)
        .where('consumer_ref', '=', request.params.consumerRef)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw notFound('invitation_not_found', 'No such pending invitation');
      await recordAudit(db, { ...auditContext(request), action: 'member.invitation_revoked', targetType: 'consumer', targetId: request.params.consumerRef, details: { invitationId: request.params.invitationId } });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/invitations/accept',
    {
      config: consumer,
      schema: {
        tags,
        summary: 'Accept an invitation with the token from its e-mail (logged in with the invited address)',
        body: Type.Object({ token: Type.String({ minLength: 20, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ consumerRef: Type.String(), role: Type.String(), rights: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const userId = request.user!.id;
      return deps.database.transaction(async (trx) => {
        const invitation = await trx.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash(request.body.token)).forUpdate().executeTakeFirst();
        if (!invitation || invitation.status !== 'pending' || invitation.expires_at <= new Date()) throw notFound('invitation_not_found', 'The invitation is unknown, used, withdrawn or expired');
        const me = await describeConsumerUser(trx, pii, userId);
        if (!me?.email || me.email !== pii.open('invitations', 'email_enc', invitation.id, invitation.email_enc)) {
          throw forbidden('invitation_other_person', 'The invitation was sent to another address; log in with the address it was sent to');
        }
        if (await rightsFor(trx, userId, invitation.consumer_ref)) throw conflict('already_member', 'You already act for this consumer');
        await trx.insertInto('memberships').values({ user_id: userId, consumer_ref: invitation.consumer_ref, role: 'representative', rights: invitation.rights }).execute();
        await trx.updateTable('invitations').set({ status: 'accepted', accepted_by: userId, decided_at: sql<Date>`now()` }).where('id', '=', invitation.id).execute();
        await recordAudit(trx, { ...auditContext(request), action: 'member.invitation_accepted', targetType: 'consumer', targetId: invitation.consumer_ref, details: { invitationId: invitation.id } });
        return { consumerRef: invitation.consumer_ref, role: 'representative', rights: invitation.rights };
      });
    },
  );

  app.put(
    '/api/consumers/:consumerRef/members/:userId',
    {
      config: consumer,
      schema: { tags, summary: "Change a representative's rights (owners only)", params: MemberParams, body: Type.Object({ rights: Rights }, { additionalProperties: false }), response: { 200: Type.Object({ rights: Type.Array(Type.String()) }) } },
    },
    async (request) => {
      const { consumerRef, userId } = request.params;
      await requireOwner(request, consumerRef);
      const rights = withView(request.body.rights);
      const done = await db.updateTable('memberships').set({ rights }).where('consumer_ref', '=', consumerRef).where('user_id', '=', userId).where('role', '=', 'representative').executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw notFound('member_not_found', 'No such representative');
      await recordAudit(db, { ...auditContext(request), action: 'member.rights_changed', targetType: 'consumer', targetId: consumerRef, details: { userId, rights } });
      return { rights };
    },
  );

  app.delete(
    '/api/consumers/:consumerRef/members/:userId',
    { config: consumer, schema: { tags, summary: 'Revoke a representative (owners only); their access ends with the next request', params: MemberParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const { consumerRef, userId } = request.params;
      await requireOwner(request, consumerRef);
      const done = await db.deleteFrom('memberships').where('consumer_ref', '=', consumerRef).where('user_id', '=', userId).where('role', '=', 'representative').executeTakeFirst();
      if (Number(done.numDeletedRows) === 0) throw notFound('member_not_found', 'No such representative');
      await recordAudit(db, { ...auditContext(request), action: 'member.revoked', targetType: 'consumer', targetId: consumerRef, details: { userId } });
      return reply.status(204).send(null);
    },
  );
}
