import { createHash } from 'node:crypto';
import { parseKeyRing, type KeyRing } from '@app/kernel';

/** Settings naming the field-encryption keys (`FIELD_KEYS=id:base64,…`, `FIELD_KEY_CURRENT`, `BLIND_INDEX_KEY`). */
export interface KeySettings {
  NODE_ENV?: string;
  FIELD_KEYS?: string;
  FIELD_KEY_CURRENT?: string;
  BLIND_INDEX_KEY?: string;
}

// Fixed, public development keys so `npm start` and tests need no setup and data under ./data stays
// readable across restarts. They protect nothing, which is why production refuses to start on them.
const devKey = (label: string) => createHash('sha256').update(`cabinet-front development key: ${label}`).digest('base64');
export const developmentKeySettings = {
  FIELD_KEYS: `dev1:${devKey('dev1')}`,
  FIELD_KEY_CURRENT: 'dev1',
  BLIND_INDEX_KEY: devKey('blind index'),
} as const;

/**
 * The key ring from the settings. In production all three must be set (an error naming what is
 * missing, never key material); elsewhere missing ones fall back to the development keys.
 */
export function keyRingFrom(settings: KeySettings): KeyRing {
  const missing = (['FIELD_KEYS', 'FIELD_KEY_CURRENT', 'BLIND_INDEX_KEY'] as const).filter((name) => !settings[name]);
  if (missing.length > 0 && settings.NODE_ENV === 'production') {
    throw new Error(`${missing.join(', ')} must be set in production (personal data is encrypted with these keys)`);
  }
  return parseKeyRing({
    keys: settings.FIELD_KEYS || developmentKeySettings.FIELD_KEYS,
    currentKeyId: settings.FIELD_KEYS ? (settings.FIELD_KEY_CURRENT ?? '') : developmentKeySettings.FIELD_KEY_CURRENT,
    indexKey: settings.BLIND_INDEX_KEY || developmentKeySettings.BLIND_INDEX_KEY,
  });
}

/** The key ring of this process: the config's key settings, else the environment's (all-in-one passes its own config). */
export function resolveKeyRing(config: KeySettings = {}, env: NodeJS.ProcessEnv = process.env): KeyRing {
  return keyRingFrom({
    NODE_ENV: config.NODE_ENV ?? env.NODE_ENV,
    FIELD_KEYS: config.FIELD_KEYS ?? env.FIELD_KEYS,
    FIELD_KEY_CURRENT: config.FIELD_KEY_CURRENT ?? env.FIELD_KEY_CURRENT,
    BLIND_INDEX_KEY: config.BLIND_INDEX_KEY ?? env.BLIND_INDEX_KEY,
  });
}
