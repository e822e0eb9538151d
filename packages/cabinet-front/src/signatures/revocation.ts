import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Revocation status of a signature's certificates from certificate revocation lists (CRLs) the
 * installation is given (trust.ts: files or PEM text, refreshed by whoever publishes them there).
 *
 * For every certificate of the chain below the trusted root (the signer and any intermediate), the CRLs
 * of its issuer (same issuer name) count only when their signature verifies with the issuer's key:
 * - listed in such a CRL (current or not: a revocation is never undone) → `certificate_revoked`, always refused;
 * - a current such CRL (thisUpdate ≤ now ≤ nextUpdate) not listing it → good;
 * - otherwise the status is unknown (no CRL of that issuer, only expired ones, or none signed by the
 *   issuer) → `revocation_unknown`: refused under the `strict` policy, accepted with a warning in the
 *   report under `warn` (the default, so an installation without CRLs keeps working; production should
 *   configure its CAs' CRLs and `SIGNATURE_REVOCATION_POLICY=strict`).
 * GOST issuers' CRL signatures are not verified here (node-gost-crypto has no CRL support): their status
 * is unknown. OCSP is not asked.
 */
export type RevocationPolicy = 'strict' | 'warn';
export const revocationPolicies: readonly RevocationPolicy[] = ['strict', 'warn'];

export interface RevocationOutcome {
  refused?: { code: 'certificate_revoked' | 'revocation_unknown'; detail: string };
  detail: string;
  warnings: string[];
}

const GOST_KEYS = new Set(['1.2.643.7.1.1.1.1', '1.2.643.7.1.1.1.2']);

/** CRLs from DER or PEM (`-----BEGIN X509 CRL-----`, several per file allowed). Throws on what is not a CRL. */
export function parseCrls(list: readonly Uint8Array[]): pkijs.CertificateRevocationList[] {
  return list.flatMap((bytes) => derBlocks(bytes).map(parseCrl));
}

export function parseCrl(der: Uint8Array): pkijs.CertificateRevocationList {
  const asn1 = asn1js.fromBER(toArrayBuffer(der));
  if (asn1.offset === -1) throw new Error('CRL: not DER');
  return new pkijs.CertificateRevocationList({ schema: asn1.result });
}

function derBlocks(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.trimStart().startsWith('-----BEGIN')) return [bytes];
  return [...text.matchAll(/-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** `chain`: signer first, the trusted root last (as the chain check built it). */
export async function checkRevocation(chain: readonly pkijs.Certificate[], crls: readonly pkijs.CertificateRevocationList[], policy: RevocationPolicy, now: Date): Promise<RevocationOutcome> {
  const details: string[] = [];
  const warnings: string[] = [];
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i]!;
    const issuer = chain[i + 1]!;
    const status = await statusOf(cert, issuer, crls, now);
    const who = `"${commonNameOf(cert)}" (serial ${serialOf(cert)})`;
    if (status.kind === 'revoked') return { refused: { code: 'certificate_revoked', detail: `${who} is revoked since ${status.at.toISOString()} (CRL of "${commonNameOf(issuer)}")` }, detail: '', warnings };
    if (status.kind === 'unknown') {
      const detail = `revocation status of ${who} unknown: ${status.why}`;
      if (policy === 'strict') return { refused: { code: 'revocation_unknown', detail }, detail: '', warnings };
      warnings.push(detail);
      details.push(`${who}: unknown`);
    } else details.push(`${who}: not revoked (CRL of ${status.thisUpdate.toISOString().slice(0, 10)}${status.nextUpdate ? `, next ${status.nextUpdate.toISOString().slice(0, 10)}` : ''})`);
  }
  return { detail: details.length ? details.join('; ') : 'the signer certificate is a trusted root itself', warnings };
}

type Status = { kind: 'good'; thisUpdate: Date; nextUpdate?: Date } | { kind: 'revoked'; at: Date } | { kind: 'unknown'; why: string };

async function statusOf(cert: pkijs.Certificate, issuer: pkijs.Certificate, crls: readonly pkijs.CertificateRevocationList[], now: Date): Promise<Status> {
  const candidates = crls.filter((crl) => crl.issuer.isEqual(cert.issuer));
  if (candidates.length === 0) return { kind: 'unknown', why: `no CRL of "${commonNameOf(issuer)}" is configured` };
  if (GOST_KEYS.has(issuer.subjectPublicKeyInfo.algorithm.algorithmId)) return { kind: 'unknown', why: 'CRLs of GOST issuers are not verified by this installation' };
  const verified: pkijs.CertificateRevocationList[] = [];
  for (const crl of candidates) if (await crl.verify({ issuerCertificate: issuer }).catch(() => false)) verified.push(crl);
  if (verified.length === 0) return { kind: 'unknown', why: `the CRL of "${commonNameOf(issuer)}" is not signed by that issuer` };
  for (const crl of verified) {
    const entry = crl.revokedCertificates?.find((r) => r.userCertificate.isEqual(cert.serialNumber));
    if (entry) return { kind: 'revoked', at: entry.revocationDate.value };
  }
  const current = verified.find((crl) => crl.thisUpdate.value <= now && (!crl.nextUpdate || crl.nextUpdate.value >= now));
  if (!current) {
    const latest = verified.map((crl) => crl.nextUpdate?.value).filter((d): d is Date => Boolean(d)).sort((a, b) => b.getTime() - a.getTime())[0];
    return { kind: 'unknown', why: latest && latest < now ? `the CRL of "${commonNameOf(issuer)}" expired on ${latest.toISOString()}` : `the CRL of "${commonNameOf(issuer)}" is not valid yet` };
  }
  return { kind: 'good', thisUpdate: current.thisUpdate.value, ...(current.nextUpdate ? { nextUpdate: current.nextUpdate.value } : {}) };
}

function commonNameOf(cert: pkijs.Certificate): string {
  const cn = cert.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  return cn ? String((cn.value.valueBlock as { value?: unknown }).value ?? '') : 'certificate';
}

const serialOf = (cert: pkijs.Certificate) => Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex');

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
