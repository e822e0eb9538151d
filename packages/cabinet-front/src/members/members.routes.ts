import { forbidden, notFound, type Database, type HttpApp } from '@app/kernel';
import { Type } from 'typebox';
import { describeConsumerUser } from '../auth/consumer-users.repo.js';
import type { Pii } from '../crypto/pii.js';
import * as S from '../read-model/data.schema.js';
import type { CabinetFrontDb } from '../tables.js';
import { rightsFor } from './scope.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['consumers'];

/**
 * The consumers (billing's holders of contracts) the caller acts for, and for owners the people who
 * act for the same consumer. Invitations, rights changes and revocation: invitations.ts; the
 * history of who did what: history.ts; support's read-only visits: ../support/.
 */
export function registerMemberRoutes(app: HttpApp, deps: { database: Database<CabinetFrontDb>; pii: Pii }) {
  const db = deps.database.db;
  const { pii } = deps;

  const profile = async (consumerRef: string, role: string, rights: string[]) => {
    const c = await db.selectFrom('consumers').selectAll().where('consumer_ref', '=', consumerRef).executeTakeFirst();
    const open = (column: 'name_enc' | 'inn_enc' | 'ogrn_enc' | 'snils_enc' | 'email_enc' | 'phone_enc' | 'address_enc') => pii.open('consumers', column, consumerRef, c?.[column]);
    const fields = c
      ? Object.fromEntries(
          Object.entries({ kind: c.kind, name: open('name_enc'), inn: open('inn_enc'), ogrn: open('ogrn_enc'), snils: open('snils_enc'), email: open('email_enc'), phone: open('phone_enc'), address: open('address_enc') }).filter(([, v]) => v !== undefined),
        )
      : {};
    return { consumerRef, role, rights, ...fields };
  };

  app.get(
    '/api/consumers',
    { config: consumer, schema: { tags, summary: 'The consumers you act for, with your role and rights', response: { 200: Type.Object({ items: Type.Array(S.ConsumerProfile) }) } } },
    async (request) => {
      const memberships = await db.selectFrom('memberships').selectAll().where('user_id', '=', request.user!.id).where((eb) => eb(eb.val('view'), '=', eb.fn.any('rights'))).orderBy('created_at').limit(200).execute();
      return { items: await Promise.all(memberships.map((m) => profile(m.consumer_ref, m.role, m.rights))) };
    },
  );

  app.get('/api/consumers/:consumerRef', { config: consumer, schema: { tags, summary: "A consumer's profile as billing has it", params: S.ConsumerParams, response: { 200: S.ConsumerProfile } } }, async (request) => {
    const membership = await rightsFor(db, request.user!.id, request.params.consumerRef);
    if (!membership || !membership.rights.includes('view')) throw notFound('consumer_not_found', 'No such consumer');
    return profile(request.params.consumerRef, membership.role, membership.rights);
  });

  app.get(
    '/api/consumers/:consumerRef/members',
    { config: consumer, schema: { tags, summary: 'Who acts for this consumer (owners only)', params: S.ConsumerParams, response: { 200: Type.Object({ items: Type.Array(S.Member) }) } } },
    async (request) => {
      const membership = await rightsFor(db, request.user!.id, request.params.consumerRef);
      if (!membership || !membership.rights.includes('view')) throw notFound('consumer_not_found', 'No such consumer');
      if (membership.role !== 'owner') throw forbidden('owner_only', 'Only an owner sees who acts for the consumer');
      const rows = await db.selectFrom('memberships').selectAll().where('consumer_ref', '=', request.params.consumerRef).where('role', '!=', 'support').orderBy('created_at').limit(500).execute();
      return {
        items: await Promise.all(
          rows.map(async (m) => {
            const user = await describeConsumerUser(db, pii, m.user_id);
            return { userId: m.user_id, login: user?.login ?? '', displayName: user?.displayName ?? '', role: m.role, rights: m.rights, since: m.created_at.toISOString() };
          }),
        ),
      };
    },
  );
}
