import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { developmentKeySettings, keyRingFrom, resolveKeyRing } from './keys.js';

describe('field-encryption keys from the settings', () => {
  const key = randomBytes(32).toString('base64');

  it('refuses to run in production without its own keys, naming what is missing', () => {
    expect(() => keyRingFrom({ NODE_ENV: 'production' })).toThrow('FIELD_KEYS, FIELD_KEY_CURRENT, BLIND_INDEX_KEY must be set in production');
    expect(() => keyRingFrom({ NODE_ENV: 'production', FIELD_KEYS: `p1:${key}`, FIELD_KEY_CURRENT: 'p1' })).toThrow(/^BLIND_INDEX_KEY must be set/);
  });

  it('uses the development keys elsewhere', () => {
    const ring = keyRingFrom({ NODE_ENV: 'development' });
    expect(ring.currentKeyId).toBe(developmentKeySettings.FIELD_KEY_CURRENT);
  });

  it('takes the configured keys, and the environment when the config has none (all-in-one passes its own config)', () => {
    const ring = keyRingFrom({ NODE_ENV: 'production', FIELD_KEYS: `p1:${key},p0:${key}`, FIELD_KEY_CURRENT: 'p1', BLIND_INDEX_KEY: key });
    expect([ring.currentKeyId, [...ring.keys.keys()]]).toEqual(['p1', ['p1', 'p0']]);
    expect(resolveKeyRing({}, { NODE_ENV: 'production', FIELD_KEYS: `e1:${key}`, FIELD_KEY_CURRENT: 'e1', BLIND_INDEX_KEY: key }).currentKeyId).toBe('e1');
  });

  it('refuses a current key id that is not in the ring', () => {
    expect(() => keyRingFrom({ FIELD_KEYS: `p1:${key}`, FIELD_KEY_CURRENT: 'p2', BLIND_INDEX_KEY: key })).toThrow(/FIELD_KEY_CURRENT/);
  });
});
