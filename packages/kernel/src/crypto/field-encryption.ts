import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';

/**
 * Field-level encryption of personal data at rest (AES-256-GCM) and blind indexes (HMAC-SHA-256) for
 * the few lookups by value (log in by e-mail).
 *
 * Ciphertext format: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts). The key id inside lets
 * keys rotate: new writes use the current key, old values stay readable while their key is in the
 * ring, and a rotation job re-encrypts what `needsReEncryption` reports. The associated data binds a
 * value to where it lives (e.g. `consumers.phone:<row id>`), so a ciphertext copied into another row
 * or column does not decrypt.
 */
export interface KeyRing {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
  /** Separate key for blind indexes; never rotated silently (indexes would have to be recomputed). */
  indexKey: Buffer;
}

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `FIELD_KEYS` = `id1:base64key,id2:base64key` (32-byte keys), the current id, and the index key.
 * Errors name the setting, never the key material.
 */
export function parseKeyRing(settings: { keys: string; currentKeyId: string; indexKey: string }): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const entry of settings.keys.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [id, material] = entry.split(':');
    if (!id || !material || !KEY_ID.test(id)) throw new Error(`FIELD_KEYS: entry "${id ?? ''}" must look like id:base64key`);
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) throw new Error(`FIELD_KEYS: key "${id}" must be 32 bytes (base64 of 32 random bytes)`);
    keys.set(id, key);
  }
  if (!keys.has(settings.currentKeyId)) throw new Error(`FIELD_KEY_CURRENT: "${settings.currentKeyId}" is not one of FIELD_KEYS`);
  const indexKey = Buffer.from(settings.indexKey, 'base64');
  if (indexKey.length < 32) throw new Error('BLIND_INDEX_KEY: must be at least 32 bytes (base64)');
  return { currentKeyId: settings.currentKeyId, keys, indexKey };
}

export function encryptField(ring: KeyRing, plaintext: string, associatedData: string): string {
  const key = ring.keys.get(ring.currentKeyId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, ring.currentKeyId, b64(iv), b64(body), b64(cipher.getAuthTag())].join('.');
}

export function decryptField(ring: KeyRing, token: string, associatedData: string): string {
  const parts = token.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw cryptoError('ciphertext_malformed', 'Encrypted value is malformed');
  const [, keyId, iv, body, tag] = parts as [string, string, string, string, string];
  const key = ring.keys.get(keyId);
  if (!key) throw cryptoError('encryption_key_unknown', `Encryption key "${keyId}" is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw cryptoError('ciphertext_invalid', 'Encrypted value failed authentication');
  }
}

/** True when the value was written with a key other than the current one (rotation pending). */
export function needsReEncryption(ring: KeyRing, token: string): boolean {
  return token.split('.')[1] !== ring.currentKeyId;
}

/** Re-encrypts under the current key; returns the same token when already current. */
export function reEncryptField(ring: KeyRing, token: string, associatedData: string): string {
  if (!needsReEncryption(ring, token)) return token;
  return encryptField(ring, decryptField(ring, token, associatedData), associatedData);
}

/**
 * Deterministic keyed digest for equality lookups (unique e-mail, find by phone). `purpose` keeps
 * indexes of different fields unrelated, so equal values in two columns do not link.
 */
export function blindIndex(ring: KeyRing, purpose: string, normalizedValue: string): string {
  return createHmac('sha256', ring.indexKey).update(`${purpose}\u0000${normalizedValue}`, 'utf8').digest('base64url');
}

function b64(buffer: Buffer) {
  return buffer.toString('base64url');
}

function cryptoError(code: string, message: string) {
  return new AppError(code, 500, message);
}
