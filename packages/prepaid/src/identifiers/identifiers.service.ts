import { conflict, notFound, type Database } from '@app/kernel';
import type { BlockReason, IdentifierKind, PrepaidDb } from '../tables.js';
import { normaliseIdentifier } from './identifier-value.js';

/**
 * Payment instruments bound to accounts: several per account, unique among the active ones. Blocking
 * (lost, stolen, destroyed) puts the value on the stop-list; re-issue blocks the old one and binds a
 * new one in one transaction, remembering which it replaces.
 */
export type ResolvedIdentifier =
  | { status: 'active'; identifierId: string; accountId: string }
  | { status: 'unknown' }
  | { status: 'blocked' };

export class Identifiers {
  constructor(private readonly database: Database<PrepaidDb>) {}

  async bind(input: { accountId: string; kind: IdentifierKind; value: string; replacesId?: string | null }) {
    const value = normaliseIdentifier(input.kind, input.value);
    const db = this.database.db;
    const stopped = await db.selectFrom('stop_list').select('reason').where('kind', '=', input.kind).where('value', '=', value).executeTakeFirst();
    if (stopped) throw conflict('identifier_stop_listed', 'This identifier is on the stop-list and cannot be bound');
    try {
      return await db
        .insertInto('identifiers')
        .values({ account_id: input.accountId, kind: input.kind, value, replaces_id: input.replacesId ?? null })
        .returning(['id', 'kind', 'value', 'status'])
        .executeTakeFirstOrThrow();
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw conflict('identifier_in_use', 'This identifier is already bound to an account');
      throw error;
    }
  }

  async unbind(identifierId: string) {
    const row = await this.database.db
      .updateTable('identifiers')
      .set({ status: 'unbound', updated_at: new Date() })
      .where('id', '=', identifierId)
      .where('status', '=', 'active')
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('identifier_not_active', 'No active identifier with this id');
  }

  async block(identifierId: string, reason: BlockReason) {
    await this.database.transaction(async (trx) => {
      const row = await trx
        .updateTable('identifiers')
        .set({ status: 'blocked', block_reason: reason, updated_at: new Date() })
        .where('id', '=', identifierId)
        .where('status', '=', 'active')
        .returning(['kind', 'value'])
        .executeTakeFirst();
      if (!row) throw notFound('identifier_not_active', 'No active identifier with this id');
      await trx.insertInto('stop_list').values({ kind: row.kind, value: row.value, reason }).onConflict((oc) => oc.doNothing()).execute();
    });
  }

  /** Blocks a lost or destroyed identifier and binds its replacement to the same account. */
  async reissue(identifierId: string, reason: BlockReason, replacement: { kind: IdentifierKind; value: string }) {
    const old = await this.database.db.selectFrom('identifiers').select(['account_id', 'status']).where('id', '=', identifierId).executeTakeFirst();
    if (!old || old.status !== 'active') throw notFound('identifier_not_active', 'No active identifier with this id');
    await this.block(identifierId, reason);
    return this.bind({ accountId: old.account_id, ...replacement, replacesId: identifierId });
  }

  /** What a terminal presented: the active binding, a stop-listed value, or nothing known. */
  async resolve(kind: IdentifierKind, rawValue: string): Promise<ResolvedIdentifier> {
    const value = normaliseIdentifier(kind, rawValue);
    const db = this.database.db;
    const stopped = await db.selectFrom('stop_list').select('kind').where('kind', '=', kind).where('value', '=', value).executeTakeFirst();
    if (stopped) return { status: 'blocked' };
    const row = await db.selectFrom('identifiers').select(['id', 'account_id']).where('kind', '=', kind).where('value', '=', value).where('status', '=', 'active').executeTakeFirst();
    return row ? { status: 'active', identifierId: row.id, accountId: row.account_id } : { status: 'unknown' };
  }
}
