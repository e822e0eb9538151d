import { sql, type Expression, type SqlBool } from 'kysely';
import type { Pii } from './crypto/pii.js';

/**
 * Applications and requests belong to the user who wrote them, and — when they name a billing consumer —
 * also to every member of that consumer who may view it. Everything else is not found (404), as in
 * members/scope.ts.
 */
export function ownedOrMember(userId: string): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.ref('user_id')} = ${userId} or ${sql.ref('consumer_ref')} in (select m.consumer_ref from memberships m where m.user_id = ${userId} and 'view' = any(m.rights)))`;
}

export interface ThreadMessageRow {
  id: string;
  author: 'consumer' | 'supplier';
  author_name: string | null;
  text_enc: string;
  created_at: Date;
}

export function messageView<A>(pii: Pii, table: 'application_messages' | 'request_messages', row: ThreadMessageRow, attachments: A[]) {
  return {
    id: row.id,
    author: row.author,
    ...(row.author_name ? { authorName: row.author_name } : {}),
    text: pii.open(table, 'text_enc', row.id, row.text_enc),
    at: row.created_at.toISOString(),
    attachments,
  };
}
