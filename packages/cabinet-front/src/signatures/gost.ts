import { createRequire } from 'node:module';

/**
 * GOST R 34.10-2012 signatures with GOST R 34.11-2012 (Streebog) digests, behind this adapter:
 * node-gost-crypto (MIT, a port of the WebCrypto GOST library) is not a certified implementation
 * (СКЗИ), so a deployment that needs a certified one replaces these three functions (e.g. with a
 * CryptoPro service) and nothing else changes. It is checked against signatures made by OpenSSL's
 * GOST engine (signatures.test.ts). It needs X.509 v3 certificates (it cannot parse v1).
 */
interface GostLibrary {
  gostCrypto: {
    cms: { SignedDataContentInfo: new (der: ArrayBuffer) => { verifySignature(cert: unknown, content: ArrayBuffer): Promise<unknown> } };
    cert: { X509: new (der: ArrayBuffer) => GostX509 };
  };
  gostEngine: { getGostDigest(algorithm: { name: string; length: number }): { digest(data: ArrayBuffer | Uint8Array): ArrayBuffer } };
}
interface GostX509 {
  tbsCertificate: { encode(): ArrayBuffer };
  signatureValue: ArrayBuffer;
  signatureAlgorithm: unknown;
  verifySignature(data: ArrayBuffer, signature: ArrayBuffer, algorithm: unknown): Promise<boolean>;
}

let library: GostLibrary | undefined;
const gost = () => (library ??= createRequire(import.meta.url)('node-gost-crypto') as GostLibrary);
const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

export const gostOids = {
  publicKey256: '1.2.643.7.1.1.1.1',
  publicKey512: '1.2.643.7.1.1.1.2',
  streebog256: '1.2.643.7.1.1.2.2',
  streebog512: '1.2.643.7.1.1.2.3',
} as const;

export function streebog(bytes: Uint8Array, bits: 256 | 512): Buffer {
  return Buffer.from(gost().gostEngine.getGostDigest({ name: 'GOST R 34.11', length: bits }).digest(bytes));
}

/** The CMS signature of `signerCert` over `content`: 'ok', or which part failed. */
export async function verifyGostCms(signature: Uint8Array, signerCert: Uint8Array, content: Uint8Array): Promise<'ok' | 'digest' | 'signature'> {
  const { gostCrypto } = gost();
  try {
    const cms = new gostCrypto.cms.SignedDataContentInfo(arrayBuffer(signature));
    await cms.verifySignature(new gostCrypto.cert.X509(arrayBuffer(signerCert)), arrayBuffer(content));
    return 'ok';
  } catch (err) {
    return /digest/i.test((err as Error).message) ? 'digest' : 'signature';
  }
}

/** Whether `issuer`'s key signed `cert` (the chain link only: dates and usage are checked by the caller). */
export async function verifyGostCertificate(cert: Uint8Array, issuer: Uint8Array): Promise<boolean> {
  const { gostCrypto } = gost();
  try {
    const subject = new gostCrypto.cert.X509(arrayBuffer(cert));
    const parent = new gostCrypto.cert.X509(arrayBuffer(issuer));
    return await parent.verifySignature(subject.tbsCertificate.encode(), subject.signatureValue, subject.signatureAlgorithm);
  } catch {
    return false;
  }
}
