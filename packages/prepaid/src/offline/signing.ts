import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

/**
 * The Ed25519 key that signs terminal snapshots. Terminals are provisioned with the public key and refuse
 * a snapshot whose signature does not verify, so a snapshot can only come from the server (or whoever
 * holds this key). The key comes from OFFLINE_SIGNING_KEY: a PKCS#8 PEM, or the 32-byte seed in base64.
 * Outside production a fixed development key is used when none is set — it is public (it is in this file),
 * so production refuses to start without a key of its own.
 */
export interface SnapshotSigner {
  keyId: string;
  /** SubjectPublicKeyInfo DER in base64: what a terminal is provisioned with. */
  publicKey: string;
  sign(bytes: Buffer): string;
}

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const DEV_SEED = createHash('sha256').update('prepaid offline snapshot development key — never for production').digest();

export function snapshotSigner(setting: string | undefined, nodeEnv: string | undefined): SnapshotSigner {
  if (!setting && nodeEnv === 'production') throw new Error('config: OFFLINE_SIGNING_KEY must be set in production (Ed25519 PKCS#8 PEM or base64 32-byte seed)');
  const key = setting ? parseKey(setting) : fromSeed(DEV_SEED);
  const publicDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return {
    keyId: createHash('sha256').update(publicDer).digest('hex').slice(0, 16),
    publicKey: publicDer.toString('base64'),
    sign: (bytes) => sign(null, bytes, key).toString('base64'),
  };
}

function parseKey(setting: string): KeyObject {
  if (setting.includes('BEGIN')) return createPrivateKey(setting);
  const seed = Buffer.from(setting, 'base64');
  if (seed.length !== 32) throw new Error('config: OFFLINE_SIGNING_KEY must be a PKCS#8 PEM or the base64 of a 32-byte Ed25519 seed');
  return fromSeed(seed);
}

const fromSeed = (seed: Buffer) => createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
