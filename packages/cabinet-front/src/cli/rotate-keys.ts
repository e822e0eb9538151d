// `npm run cabinet:rotate-keys`: re-encrypts the front's personal data with FIELD_KEY_CURRENT.
// Rotation: add the new key to FIELD_KEYS (keep the old ones), set FIELD_KEY_CURRENT to it, restart the
// service (new writes use it), run this; once it reports 0, old keys may leave FIELD_KEYS.
// Uses DATABASE_URL, or the embedded database under DATA_DIR/cabinet-front (default ./data) when none is set.
import { commonSettings, loadConfigOrExit, openServiceDatabase } from '@app/kernel';
import { Type } from 'typebox';
import { CabinetFrontSettings } from '../config.js';
import { keyRingFrom } from '../crypto/keys.js';
import { rotateKeys } from '../crypto/rotate-keys.js';
import { cabinetFrontMigrations } from '../migrations.js';
import type { CabinetFrontDb } from '../tables.js';

const p = CabinetFrontSettings.properties;
const config = loadConfigOrExit(
  Type.Object({
    NODE_ENV: commonSettings.NODE_ENV,
    DATABASE_URL: commonSettings.DATABASE_URL,
    DATA_DIR: commonSettings.DATA_DIR,
    FIELD_KEYS: p.FIELD_KEYS,
    FIELD_KEY_CURRENT: p.FIELD_KEY_CURRENT,
    BLIND_INDEX_KEY: p.BLIND_INDEX_KEY,
    ROTATE_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500 }),
  }),
);
let ring;
try {
  ring = keyRingFrom(config);
} catch (err) {
  console.error(`config: ${(err as Error).message}`);
  process.exit(1);
}
// Migrated like the service does, so the command also runs against a database the service has not opened yet.
const database = await openServiceDatabase<CabinetFrontDb>({ service: 'cabinet-front', url: config.DATABASE_URL, dataDir: config.DATA_DIR, migrations: cabinetFrontMigrations });
try {
  const report = await rotateKeys(database, ring, { batchSize: config.ROTATE_BATCH_SIZE });
  for (const c of report.columns) console.log(`${`${c.table}.${c.column}`.padEnd(36)} ${String(c.reEncrypted).padStart(8)} re-encrypted`);
  console.log(`done: ${report.total} value(s) now under key "${report.currentKeyId}"`);
} finally {
  await database.close();
}
