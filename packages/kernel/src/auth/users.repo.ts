import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuthTables, UsersTable } from './tables.js';

/** SQL of the users table. Executors are loosely typed: every service's schema includes these tables. */
type Db = Kysely<AuthTables> | Transaction<AuthTables>;
const db = (executor: unknown) => executor as Db;

export type UserRow = Selectable<UsersTable>;

export async function insertUser(
  executor: unknown,
  user: { loginKey: string; displayName: string; passwordHash: string | null; roles: string[] },
): Promise<UserRow> {
  return (await db(executor)
    .insertInto('users')
    .values({
      login_key: user.loginKey,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      roles: user.roles,
      password_changed_at: user.passwordHash ? new Date() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as UserRow;
}

export async function findUserByLoginKey(executor: unknown, loginKey: string): Promise<UserRow | undefined> {
  return (await db(executor).selectFrom('users').selectAll().where('login_key', '=', loginKey).executeTakeFirst()) as UserRow | undefined;
}

export async function findUserById(executor: unknown, id: string): Promise<UserRow | undefined> {
  return (await db(executor).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()) as UserRow | undefined;
}

/**
 * Counts a failed login and locks the account when the count reaches `maxFailures`, in one statement
 * so parallel guesses cannot slip past the limit.
 */
export async function recordFailedLogin(executor: unknown, userId: string, maxFailures: number, lockoutMinutes: number) {
  return db(executor)
    .updateTable('users')
    .set({
      failed_logins: sql`failed_logins + 1`,
      locked_until: sql`case when failed_logins + 1 >= ${maxFailures} then now() + make_interval(mins => ${lockoutMinutes}) else locked_until end`,
      updated_at: sql`now()`,
    })
    .where('id', '=', userId)
    .returning(['failed_logins', 'locked_until'])
    .executeTakeFirstOrThrow();
}

/** After a lock has run out, counting starts again from zero. */
export async function resetLoginFailures(executor: unknown, userId: string) {
  await db(executor)
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null, updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
}

export async function setPasswordHash(executor: unknown, userId: string, hash: string) {
  await db(executor)
    .updateTable('users')
    .set({ password_hash: hash, password_changed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
}

/**
 * A user vouched for by an outside directory (LDAP / AD): created on first login, its name and roles
 * refreshed from the directory on each login. Only users without a local password are managed so: a
 * local account of the same login is never taken over (undefined is returned for it).
 */
export async function upsertExternalUser(executor: unknown, loginKey: string, external: { displayName: string; roles: string[] }): Promise<UserRow | undefined> {
  return (await db(executor)
    .insertInto('users')
    .values({ login_key: loginKey, display_name: external.displayName, roles: external.roles, password_hash: null })
    .onConflict((oc) => oc.column('login_key').doUpdateSet({ display_name: external.displayName, roles: external.roles, updated_at: new Date() }).where('users.password_hash', 'is', null))
    .returningAll()
    .executeTakeFirst()) as UserRow | undefined;
}
