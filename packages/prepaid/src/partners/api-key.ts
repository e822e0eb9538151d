import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Partner API keys: `pk_<id>_<secret>`. The id (12 alphanumerics) finds the row; the secret (32 random
 * bytes, base64url) is checked against its SHA-256. Pure functions, no I/O.
 */
export const partnerScopes = ['accounts:read', 'credits:write', 'registries:write', 'settlement:read'] as const;
export type PartnerScope = (typeof partnerScopes)[number];

const KEY = /^pk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export interface IssuedKey {
  id: string;
  /** The whole key, given to the partner once. */
  key: string;
  secretSha256: string;
}

export function issueKey(): IssuedKey {
  const id = Array.from(randomBytes(12), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `pk_${id}_${secret}`, secretSha256: sha256(secret) };
}

export function parseKey(key: string): { id: string; secret: string } | null {
  const match = KEY.exec(key);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

export function secretMatches(secret: string, storedSha256: string): boolean {
  const given = Buffer.from(sha256(secret), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The role a scope grants on routes (`config.access: { roles: [scopeRole('credits:write')] }`). */
export const scopeRole = (scope: PartnerScope) => `partner:${scope}`;

function sha256(text: string) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
