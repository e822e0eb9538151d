import { readFileSync } from 'node:fs';

/**
 * The trusted roots signatures must chain to: `SIGNATURE_TRUSTED_ROOTS` (PEM files, comma-separated
 * paths; a file may hold several certificates) and/or `SIGNATURE_TRUSTED_ROOTS_PEM` (the PEM text).
 * None configured: every certificate signature is refused as `certificate_untrusted`.
 */
export interface TrustSettings {
  SIGNATURE_TRUSTED_ROOTS?: string;
  SIGNATURE_TRUSTED_ROOTS_PEM?: string;
}

export function pemCertificates(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

export function trustedRootsFrom(settings: TrustSettings): Buffer[] {
  const files = (settings.SIGNATURE_TRUSTED_ROOTS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return [...files.flatMap((path) => pemCertificates(readFileSync(path, 'utf8'))), ...pemCertificates(settings.SIGNATURE_TRUSTED_ROOTS_PEM ?? '')];
}
