import { sql, type Kysely, type Transaction } from 'kysely';
import type { CabinetFrontDb, OtpChallengesTable } from '../tables.js';
import type { Insertable, Selectable } from 'kysely';

/** SQL of one-time-code challenges. */
type Db = Kysely<CabinetFrontDb> | Transaction<CabinetFrontDb>;
export type Challenge = Selectable<OtpChallengesTable>;

export async function insertChallenge(db: Db, row: Insertable<OtpChallengesTable>) {
  await db.insertInto('otp_challenges').values(row).execute();
}

export function findChallenge(db: Db, id: string, purpose: Challenge['purpose']) {
  return db.selectFrom('otp_challenges').selectAll().where('id', '=', id).where('purpose', '=', purpose).executeTakeFirst();
}

/**
 * Takes one attempt in one statement, only while the challenge can still take codes: parallel
 * guesses cannot get past max_attempts. Returns the challenge after the increment, or nothing.
 */
export function takeAttempt(db: Db, id: string) {
  return db
    .updateTable('otp_challenges')
    .set({ attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('attempts', '<', sql<number>`max_attempts`)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** Marks the challenge used; false when another request used it first. */
export async function consumeChallenge(db: Db, id: string): Promise<boolean> {
  const row = await db.updateTable('otp_challenges').set({ consumed_at: sql`now()` }).where('id', '=', id).where('consumed_at', 'is', null).returning('id').executeTakeFirst();
  return Boolean(row);
}

/** A new code for the same challenge: new expiry, attempts from zero, one more send. */
export function renewCode(db: Db, id: string, codeHash: string, ttlMinutes: number, resendSeconds: number, maxSends: number) {
  return db
    .updateTable('otp_challenges')
    .set({
      code_hash: codeHash,
      expires_at: sql`now() + make_interval(mins => ${ttlMinutes})`,
      attempts: 0,
      sends: sql`sends + 1`,
      last_sent_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('sends', '<', maxSends)
    .where('last_sent_at', '<=', sql<Date>`now() - make_interval(secs => ${resendSeconds})`)
    .returningAll()
    .executeTakeFirst();
}
