import { Type } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';

export const CabinetFrontSettings = Type.Object({
  ...commonSettings,
  PORT: portSetting(3100),
  // Personal data keys (src/crypto/keys.ts). Required in production; development keys otherwise.
  FIELD_KEYS: Type.Optional(Type.String({ minLength: 1, description: 'id:base64-32-byte-key[,id:key…], every key still in use' })),
  FIELD_KEY_CURRENT: Type.Optional(Type.String({ minLength: 1, description: 'the key id new values are encrypted with' })),
  BLIND_INDEX_KEY: Type.Optional(Type.String({ minLength: 1, description: 'base64, ≥ 32 bytes; never rotated silently (logins are looked up by it)' })),
  SUPPLIER_TIME_ZONE: Type.String({ default: 'Europe/Moscow', description: 'the zone readings are dated in' }),
});
