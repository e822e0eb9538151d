import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ActingAs, AuthTables, SessionRestriction } from './tables.js';

type Db = Kysely<AuthTables> | Transaction<AuthTables>;
const db = (executor: unknown) => executor as Db;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
export const newToken = () => randomBytes(32).toString('base64url');

export interface SessionUser {
  tokenHash: string;
  csrfToken: string;
  lastSeenAt: Date;
  userId: string;
  loginKey: string;
  displayName: string;
  roles: string[];
  restriction: SessionRestriction | null;
  actingAs: ActingAs | null;
}

export async function insertSession(
  executor: unknown,
  session: { userId: string; ttlMinutes: number; ip: string | null; userAgent: string | null; restriction?: SessionRestriction | null; actingAs?: ActingAs | null },
): Promise<{ token: string; tokenHash: string; csrfToken: string; expiresAt: Date }> {
  const token = newToken();
  const csrfToken = newToken();
  const row = await db(executor)
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: session.userId,
      csrf_token: csrfToken,
      expires_at: sql<Date>`now() + make_interval(mins => ${session.ttlMinutes})`,
      ip: session.ip,
      user_agent: session.userAgent?.slice(0, 512) ?? null,
      restriction: session.restriction ?? null,
      acting_as: session.actingAs ? JSON.stringify(session.actingAs) : null,
    })
    .returning(['token_hash', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { token, tokenHash: row.token_hash, csrfToken, expiresAt: row.expires_at };
}

/** The live session of an active user, or nothing (expired, idle too long, user disabled). */
export async function findLiveSession(executor: unknown, tokenHash: string, idleMinutes: number): Promise<SessionUser | undefined> {
  const row = await db(executor)
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.token_hash',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.restriction',
      'sessions.acting_as',
      'users.id',
      'users.login_key',
      'users.display_name',
      'users.roles',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .where('sessions.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .where('users.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    tokenHash: row.token_hash,
    csrfToken: row.csrf_token,
    lastSeenAt: row.last_seen_at,
    userId: row.id,
    loginKey: row.login_key,
    displayName: row.display_name,
    roles: row.roles,
    restriction: row.restriction,
    actingAs: row.acting_as,
  };
}

/** Lifts a session's restriction (the second factor was enrolled). */
export async function clearSessionRestriction(executor: unknown, tokenHash: string) {
  await db(executor).updateTable('sessions').set({ restriction: null }).where('token_hash', '=', tokenHash).execute();
}

export async function touchSession(executor: unknown, tokenHash: string) {
  await db(executor).updateTable('sessions').set({ last_seen_at: sql`now()` }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(executor: unknown, tokenHash: string) {
  await db(executor).deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Logs a user out everywhere (password change, disabled account). */
export async function deleteUserSessions(executor: unknown, userId: string) {
  await db(executor).deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(executor: unknown) {
  const result = await db(executor).deleteFrom('sessions').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
