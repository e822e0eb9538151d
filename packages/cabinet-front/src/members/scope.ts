import { forbidden, notFound } from '@app/kernel';
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { CabinetFrontDb, Right } from '../tables.js';

type Db = Kysely<CabinetFrontDb> | Transaction<CabinetFrontDb>;

/**
 * Every consumer query goes through here: a row is visible only when its consumer_ref is one the
 * caller is a member of with the right asked for. Rows of other consumers are simply not found (404),
 * so ids of other consumers cannot be probed.
 */
export function inScope(userId: string, right: Right, column: string = 'consumer_ref'): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} in (select m.consumer_ref from memberships m where m.user_id = ${userId} and ${right} = any(m.rights))`;
}

export async function rightsFor(db: Db, userId: string, consumerRef: string): Promise<{ role: 'owner' | 'representative' | 'support'; rights: Right[] } | undefined> {
  return db.selectFrom('memberships').select(['role', 'rights']).where('user_id', '=', userId).where('consumer_ref', '=', consumerRef).executeTakeFirst();
}

/**
 * For an action on a row the caller can see: 404 when they are no member (or may not even view it),
 * 403 naming the right when they may view but not do this.
 */
export async function requireRight(db: Db, userId: string, consumerRef: string, right: Right, what = 'not_found'): Promise<void> {
  const membership = await rightsFor(db, userId, consumerRef);
  if (!membership || !membership.rights.includes('view')) throw notFound(what);
  if (!membership.rights.includes(right)) throw forbidden('right_required', `Your access to this consumer does not include "${right}"`);
}
