import { needsReEncryption, reEncryptField, type Database, type KeyRing } from '@app/kernel';
import { sql } from 'kysely';
import type { CabinetFrontDb } from '../tables.js';
import { associatedData } from './pii.js';
import { encryptedColumns, type EncryptedColumn } from './encrypted-columns.js';

export interface RotationReport {
  currentKeyId: string;
  columns: Array<{ table: string; column: string; reEncrypted: number }>;
  total: number;
}

/**
 * Re-encrypts every encrypted column with the current key, in batches of `batchSize` rows per
 * transaction. Idempotent: a value already under the current key is not selected again, and each
 * update is compare-and-set on the old ciphertext, so a run beside the live service (which may rewrite
 * a row meanwhile) never overwrites a newer value with an older one. A second run reports zero.
 */
export async function rotateKeys(database: Database<CabinetFrontDb>, ring: KeyRing, options: { batchSize?: number; onBatch?: (column: EncryptedColumn, done: number) => void } = {}): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const prefix = `v1.${ring.currentKeyId}.`;
  const columns: RotationReport['columns'] = [];
  for (const target of encryptedColumns) {
    let done = 0;
    let after = '';
    for (;;) {
      // Keyset pagination on the row id: rows that fail to re-encrypt (changed meanwhile) are not revisited in a loop.
      const { rows } = await sql<{ id: string; value: string }>`
        select ${sql.ref(target.rowId)}::text as id, ${sql.ref(target.column)} as value from ${sql.table(target.table)}
        where ${sql.ref(target.column)} is not null and left(${sql.ref(target.column)}, ${prefix.length}) <> ${prefix}
          and ${sql.ref(target.rowId)}::text > ${after}
        order by ${sql.ref(target.rowId)}::text limit ${batchSize}`.execute(database.db);
      if (rows.length === 0) break;
      await database.transaction(async (trx) => {
        for (const row of rows) {
          if (!needsReEncryption(ring, row.value)) continue;
          const fresh = reEncryptField(ring, row.value, associatedData(target.table, target.column, row.id));
          const result = await sql`update ${sql.table(target.table)} set ${sql.ref(target.column)} = ${fresh}
            where ${sql.ref(target.rowId)}::text = ${row.id} and ${sql.ref(target.column)} = ${row.value}`.execute(trx);
          done += Number(result.numAffectedRows ?? 0n);
        }
      });
      after = rows[rows.length - 1]!.id;
      options.onBatch?.(target, done);
    }
    columns.push({ table: target.table, column: target.column, reEncrypted: done });
  }
  return { currentKeyId: ring.currentKeyId, columns, total: columns.reduce((sum, c) => sum + c.reEncrypted, 0) };
}
