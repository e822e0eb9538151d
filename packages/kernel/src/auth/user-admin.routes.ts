import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../db/database.js';
import { badRequest, notFound } from '../errors/app-error.js';
import type { HttpApp } from '../http/app.js';
import { auditContext, recordAudit } from './audit.js';
import type { PasswordHashing } from './password.js';
import { deleteUserSessions } from './sessions.repo.js';
import type { AuthTables } from './tables.js';
import { createUser } from './users.js';

const User = Type.Object({
  id: Type.String(),
  login: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

/**
 * Staff user management (list, create, change roles, disable, unlock) for a service whose staff log in
 * with the kernel's auth. Every change is journaled with the acting user.
 */
export function registerUserAdmin<DB>(
  app: HttpApp,
  deps: { database: Database<DB>; roles: readonly string[]; adminRoles: readonly string[]; prefix?: string; hashing?: PasswordHashing },
) {
  const prefix = deps.prefix ?? '/api/users';
  const db = deps.database.db as unknown as Kysely<AuthTables>;
  const access = { roles: deps.adminRoles };
  const Role = Type.Union(deps.roles.map((r) => Type.Literal(r)));
  const toUser = (u: { id: string; login_key: string; display_name: string; roles: string[]; status: 'active' | 'disabled'; locked_until: Date | null; created_at: Date }) => ({
    id: u.id,
    login: u.login_key,
    displayName: u.display_name,
    roles: u.roles,
    status: u.status,
    lockedUntil: u.locked_until?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
  });

  app.get(
    prefix,
    {
      config: { access },
      schema: {
        tags: ['users'],
        summary: 'List staff users (paged, filtered by login or name)',
        querystring: Type.Object(
          { q: Type.Optional(Type.String({ maxLength: 100 })), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(User), total: Type.Integer() }) },
      },
    },
    async (request) => {
      const { q, limit, offset } = request.query;
      let query = db.selectFrom('users');
      if (q) {
        const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where((eb) => eb.or([eb('login_key', 'ilike', pattern), eb('display_name', 'ilike', pattern)]));
      }
      const [items, total] = await Promise.all([
        query.selectAll().orderBy('login_key').limit(limit).offset(offset).execute(),
        query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: items.map(toUser), total: total.n };
    },
  );

  app.post(
    prefix,
    {
      config: { access },
      schema: {
        tags: ['users'],
        summary: 'Create a staff user',
        body: Type.Object(
          {
            login: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' }),
            displayName: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
            roles: Type.Array(Role, { minItems: 1, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
        response: { 201: User },
      },
    },
    async (request, reply) => {
      const user = await deps.database.transaction(async (trx) => {
        const created = await createUser(trx, request.body, { hashing: deps.hashing });
        await recordAudit(trx, { ...auditContext(request), action: 'user.create', targetType: 'user', targetId: created.id, details: { login: created.login_key, roles: created.roles } });
        return created;
      });
      return reply.status(201).send(toUser(user));
    },
  );

  app.patch(
    `${prefix}/:id`,
    {
      config: { access },
      schema: {
        tags: ['users'],
        summary: 'Change roles, disable/enable, or unlock a staff user',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object(
          {
            roles: Type.Optional(Type.Array(Role, { minItems: 1, uniqueItems: true })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            unlock: Type.Optional(Type.Literal(true)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: User },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (id === request.user!.id && (request.body.status === 'disabled' || request.body.roles)) {
        throw badRequest('cannot_change_own_access', 'You cannot change your own roles or disable yourself', 'id');
      }
      const user = await deps.database.transaction(async (trx) => {
        const t = trx as unknown as Kysely<AuthTables>;
        const updated = await t
          .updateTable('users')
          .set({
            ...(request.body.roles ? { roles: request.body.roles } : {}),
            ...(request.body.status ? { status: request.body.status } : {}),
            ...(request.body.unlock ? { failed_logins: 0, locked_until: null } : {}),
            updated_at: sql`now()`,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!updated) throw notFound('user_not_found', 'No such user');
        // Fewer rights or a disabled account take effect now, not when the old session expires.
        if (request.body.roles || request.body.status === 'disabled') await deleteUserSessions(trx, id);
        await recordAudit(trx, { ...auditContext(request), action: 'user.update', targetType: 'user', targetId: id, details: request.body });
        return updated;
      });
      return toUser(user);
    },
  );
}
