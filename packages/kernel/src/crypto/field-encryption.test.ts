import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blindIndex, decryptField, encryptField, needsReEncryption, parseKeyRing, reEncryptField } from './field-encryption.js';

const key = () => randomBytes(32).toString('base64');
const k1 = key();
const k2 = key();
const indexKey = key();
const ringV1 = parseKeyRing({ keys: `k1:${k1}`, currentKeyId: 'k1', indexKey });
const ringV2 = parseKeyRing({ keys: `k1:${k1},k2:${k2}`, currentKeyId: 'k2', indexKey });

describe('field encryption', () => {
  it('round-trips Cyrillic text and never stores the plaintext', () => {
    const token = encryptField(ringV1, 'Иванов Иван Иванович', 'consumers.name:42');
    expect(token).toMatch(/^v1\.k1\./);
    expect(token).not.toContain('Иванов');
    expect(decryptField(ringV1, token, 'consumers.name:42')).toBe('Иванов Иван Иванович');
  });

  it('gives a different ciphertext each time for the same value (random IV)', () => {
    expect(encryptField(ringV1, 'a@b.ru', 'x')).not.toBe(encryptField(ringV1, 'a@b.ru', 'x'));
  });

  it('refuses a value moved to another row or column (associated data)', () => {
    const token = encryptField(ringV1, '+79001234567', 'consumers.phone:1');
    expect(() => decryptField(ringV1, token, 'consumers.phone:2')).toThrow(/failed authentication/);
  });

  it('refuses a tampered ciphertext', () => {
    const token = encryptField(ringV1, 'secret', 'x');
    const parts = token.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => decryptField(ringV1, parts.join('.'), 'x')).toThrow(/failed authentication/);
  });

  it('rotates keys: old values stay readable, are reported for re-encryption, and move to the new key', () => {
    const old = encryptField(ringV1, 'passport 4010 123456', 'p:1');
    expect(needsReEncryption(ringV2, old)).toBe(true);
    expect(decryptField(ringV2, old, 'p:1')).toBe('passport 4010 123456');
    const rotated = reEncryptField(ringV2, old, 'p:1');
    expect(rotated).toMatch(/^v1\.k2\./);
    expect(needsReEncryption(ringV2, rotated)).toBe(false);
    expect(() => decryptField(ringV1, rotated, 'p:1')).toThrow(/key "k2" is not configured/);
  });

  it('makes blind indexes that match equal values and separate fields', () => {
    expect(blindIndex(ringV1, 'email', 'a@b.ru')).toBe(blindIndex(ringV2, 'email', 'a@b.ru'));
    expect(blindIndex(ringV1, 'email', 'a@b.ru')).not.toBe(blindIndex(ringV1, 'phone', 'a@b.ru'));
    expect(blindIndex(ringV1, 'email', 'a@b.ru')).not.toContain('a@b');
  });

  it.each([
    [{ keys: 'k1', currentKeyId: 'k1', indexKey }, /must look like id:base64key/],
    [{ keys: `k1:${randomBytes(16).toString('base64')}`, currentKeyId: 'k1', indexKey }, /must be 32 bytes/],
    [{ keys: `k1:${k1}`, currentKeyId: 'k9', indexKey }, /"k9" is not one of FIELD_KEYS/],
    [{ keys: `k1:${k1}`, currentKeyId: 'k1', indexKey: 'c2hvcnQ=' }, /BLIND_INDEX_KEY/],
  ])('rejects a bad key setting with a message naming it (%#)', (settings, message) => {
    expect(() => parseKeyRing(settings)).toThrow(message);
  });
});
