import { sql, type Kysely, type Transaction } from 'kysely';
import { decryptField, encryptField, type KeyRing } from '../crypto/field-encryption.js';
import { hashToken, newToken } from './sessions.repo.js';
import type { AuthTables } from './tables.js';
import { hashRecoveryCode, matchTotp, newRecoveryCodes } from './totp.js';

type Db = Kysely<AuthTables> | Transaction<AuthTables>;
const db = (executor: unknown) => executor as Db;
const aad = (userId: string) => `user_totp.secret_enc:${userId}`;

export async function findTotp(executor: unknown, userId: string) {
  return db(executor).selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Starts (or restarts) an enrolment: a new secret, not yet confirmed. A confirmed one is left alone (false). */
export async function startTotpEnrolment(executor: unknown, keys: KeyRing, userId: string, secret: string): Promise<boolean> {
  const row = await db(executor)
    .insertInto('user_totp')
    .values({ user_id: userId, secret_enc: encryptField(keys, secret, aad(userId)) })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_enc: encryptField(keys, secret, aad(userId)), created_at: sql`now()`, last_step: null }).where('user_totp.confirmed_at', 'is', null))
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export const openTotpSecret = (keys: KeyRing, userId: string, secretEnc: string) => decryptField(keys, secretEnc, aad(userId));

/**
 * Accepts a code once: its step must be later than the last accepted step, checked and recorded in
 * one statement so two requests with the same code cannot both pass. 'invalid' | 'reused' | 'ok'.
 */
export async function acceptTotpCode(executor: unknown, keys: KeyRing, userId: string, code: string, options: { confirm?: boolean } = {}): Promise<'ok' | 'invalid' | 'reused'> {
  const row = await findTotp(executor, userId);
  if (!row || (!options.confirm && !row.confirmed_at)) return 'invalid';
  const step = matchTotp(openTotpSecret(keys, userId, row.secret_enc), code);
  if (step === null) return 'invalid';
  const updated = await db(executor)
    .updateTable('user_totp')
    .set({ last_step: step, ...(options.confirm ? { confirmed_at: sql`coalesce(confirmed_at, now())` } : {}) })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', String(step))]))
    .returning('user_id')
    .executeTakeFirst();
  return updated ? 'ok' : 'reused';
}

/** Uses a recovery code up (once). */
export async function useRecoveryCode(executor: unknown, userId: string, code: string): Promise<boolean> {
  const row = await db(executor)
    .updateTable('user_recovery_codes')
    .set({ used_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('used_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Replaces a user's recovery codes with ten new ones; returns them (the only time they are shown). */
export async function replaceRecoveryCodes(executor: unknown, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db(executor).deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  await db(executor).insertInto('user_recovery_codes').values(codes.map((code) => ({ user_id: userId, code_hash: hashRecoveryCode(code), used_at: null }))).execute();
  return codes;
}

export async function remainingRecoveryCodes(executor: unknown, userId: string): Promise<number> {
  const row = await db(executor).selectFrom('user_recovery_codes').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function removeTotp(executor: unknown, userId: string) {
  await db(executor).deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  await db(executor).deleteFrom('user_totp').where('user_id', '=', userId).execute();
}

export async function createLoginChallenge(executor: unknown, userId: string, minutes: number, ip: string | null) {
  const token = newToken();
  await db(executor).deleteFrom('login_challenges').where('expires_at', '<=', sql<Date>`now()`).execute();
  const row = await db(executor)
    .insertInto('login_challenges')
    .values({ token_hash: hashToken(token), user_id: userId, expires_at: sql<Date>`now() + make_interval(mins => ${minutes})`, ip })
    .returning('expires_at')
    .executeTakeFirstOrThrow();
  return { token, expiresAt: row.expires_at };
}

/** Counts one attempt on a live challenge; undefined when it is unknown, expired or used up. */
export async function attemptLoginChallenge(executor: unknown, token: string, maxAttempts: number) {
  return db(executor)
    .updateTable('login_challenges')
    .set({ attempts: sql`attempts + 1` })
    .where('token_hash', '=', hashToken(token))
    .where('expires_at', '>', sql<Date>`now()`)
    .where('attempts', '<', maxAttempts)
    .returning(['user_id', 'attempts'])
    .executeTakeFirst();
}

export async function deleteLoginChallenge(executor: unknown, token: string) {
  await db(executor).deleteFrom('login_challenges').where('token_hash', '=', hashToken(token)).execute();
}
