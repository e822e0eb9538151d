import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { KeyRing } from '../crypto/field-encryption.js';

/**
 * TOTP (RFC 6238) as authenticator apps use it: SHA-1, 6 digits, 30-second steps, through `otpauth`.
 * A code is accepted one step either side of now (clock drift), and only for a step later than the
 * last one accepted for that user (replay of the same code, even within its 30 seconds, is refused).
 */
const PERIOD = 30;
const DIGITS = 6;

const totpOf = (secretBase32: string, label = 'user', issuer = '') =>
  new TOTP({ issuer, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD });

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** otpauth://totp/… for a QR code. */
export function totpUri(secretBase32: string, issuer: string, label: string): string {
  return totpOf(secretBase32, label, issuer).toString();
}

/** The time step a timestamp falls in. */
export function totpStep(timestamp = Date.now()): number {
  return Math.floor(timestamp / 1000 / PERIOD);
}

/** The code of a step (now by default). Tests and the enrolment helpers compute codes with it. */
export function totpCode(secretBase32: string, step = totpStep()): string {
  return totpOf(secretBase32).generate({ timestamp: step * PERIOD * 1000 });
}

/** The step the code belongs to (now ± 1), or null when it matches none. */
export function matchTotp(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : totpStep(now) + delta;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I

/** Ten one-time recovery codes, XXXXX-XXXXX (50 bits each). */
export function newRecoveryCodes(count = 10): string[] {
  const part = () => Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return Array.from({ length: count }, () => `${part()}-${part()}`);
}

export function hashRecoveryCode(code: string): string {
  const normalised = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return createHash('sha256').update(`recovery:${normalised}`).digest('hex');
}

/**
 * The key that encrypts TOTP secrets where a service has no field-encryption ring of its own:
 * `TOTP_KEY` (base64 of 32 random bytes). Outside production a fixed, public development key stands in
 * (it protects nothing, like the other development keys); production refuses to start without one.
 */
export function twoFactorKeyRing(settings: { NODE_ENV?: string; TOTP_KEY?: string }): KeyRing {
  const given = settings.TOTP_KEY?.trim();
  if (!given && settings.NODE_ENV === 'production') throw new Error('TOTP_KEY must be set in production (two-factor secrets are encrypted with it)');
  const material = given ? Buffer.from(given, 'base64') : createHash('sha256').update('two-factor development key').digest();
  if (material.length !== 32) throw new Error('TOTP_KEY must be base64 of 32 bytes (openssl rand -base64 32)');
  return { currentKeyId: 'totp1', keys: new Map([['totp1', material]]), indexKey: createHash('sha256').update(material).update('index').digest() };
}
