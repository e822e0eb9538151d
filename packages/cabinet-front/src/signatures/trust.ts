import { readFileSync } from 'node:fs';
import { parseCrls, revocationPolicies, type RevocationPolicy } from './revocation.js';

/**
 * The trusted roots signatures must chain to: `SIGNATURE_TRUSTED_ROOTS` (PEM files, comma-separated
 * paths; a file may hold several certificates) and/or `SIGNATURE_TRUSTED_ROOTS_PEM` (the PEM text).
 * None configured: every certificate signature is refused as `certificate_untrusted`.
 *
 * Revocation (revocation.ts): `SIGNATURE_CRLS` (CRL files, DER or PEM, comma-separated paths; read again
 * at every verification, so a CRL replaced on disk counts at once), `SIGNATURE_CRLS_PEM` (PEM text) and
 * `SIGNATURE_REVOCATION_POLICY` (`strict`: a certificate whose status cannot be told is refused; `warn`,
 * the default: accepted with a warning in the report).
 */
export interface TrustSettings {
  SIGNATURE_TRUSTED_ROOTS?: string;
  SIGNATURE_TRUSTED_ROOTS_PEM?: string;
  SIGNATURE_CRLS?: string;
  SIGNATURE_CRLS_PEM?: string;
  SIGNATURE_REVOCATION_POLICY?: string;
}

export function pemCertificates(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

export function trustedRootsFrom(settings: TrustSettings): Buffer[] {
  const files = (settings.SIGNATURE_TRUSTED_ROOTS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return [...files.flatMap((path) => pemCertificates(readFileSync(path, 'utf8'))), ...pemCertificates(settings.SIGNATURE_TRUSTED_ROOTS_PEM ?? '')];
}

/** The CRLs as configured, each file read now; a file that holds no CRL stops the verification (a configuration error). */
export function crlsFrom(settings: TrustSettings): Buffer[] {
  const files = (settings.SIGNATURE_CRLS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const crls = [...files.map((path) => readFileSync(path)), ...(settings.SIGNATURE_CRLS_PEM ? [Buffer.from(settings.SIGNATURE_CRLS_PEM)] : [])];
  parseCrls(crls);
  return crls;
}

export function revocationPolicyFrom(settings: TrustSettings): RevocationPolicy {
  const value = settings.SIGNATURE_REVOCATION_POLICY ?? 'warn';
  if (!(revocationPolicies as readonly string[]).includes(value)) throw new Error(`SIGNATURE_REVOCATION_POLICY must be strict or warn, got "${value}"`);
  return value as RevocationPolicy;
}
