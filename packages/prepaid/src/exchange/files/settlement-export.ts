import type { Kysely } from 'kysely';
import type { SettlementDb } from '../../tables.js';
import { writeSettlementFile, type SettlementRenderer } from './file-exchange.js';

export type SettlementFormat = 'csv' | 'xlsx';

/**
 * Puts a settlement registry into the exchange's out/ folder in each format not yet written (atomic:
 * temp name, fsync, rename), then records it in settlement_exports. A retried or taken-over scheduled
 * run calls this again for every registry of its day and writes only what is missing, so a partner who
 * already took a file away is not sent it twice. A crash between the rename and the insert rewrites the
 * same bytes under the same name, which a partner's pick-up cannot tell from the first write.
 */
export async function exportSettlementRegistry(
  db: Kysely<SettlementDb>,
  root: string,
  renderer: SettlementRenderer,
  registry: { id: string; fileStem: string },
  formats: readonly SettlementFormat[],
): Promise<string[]> {
  const done = new Set((await db.selectFrom('settlement_exports').select('format').where('registry_id', '=', registry.id).execute()).map((r) => r.format));
  const written: string[] = [];
  for (const format of formats) {
    if (done.has(format)) continue;
    written.push(await writeSettlementFile(root, renderer, registry.id, { format, name: registry.fileStem }));
    await db
      .insertInto('settlement_exports')
      .values({ registry_id: registry.id, format, file_name: `${registry.fileStem}.${format}` })
      .onConflict((oc) => oc.columns(['registry_id', 'format']).doNothing())
      .execute();
  }
  return written;
}
