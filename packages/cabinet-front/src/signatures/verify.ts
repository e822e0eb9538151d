import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import type { Applicant, SignerIdentity, VerificationReport } from '@app/cabinet-contracts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { gostOids, streebog, verifyGostCertificate, verifyGostCms } from './gost.js';
import { checkRevocation, parseCrls, type RevocationPolicy } from './revocation.js';

/**
 * Verification of a detached CMS/PKCS#7 signature over a document, in the order a reader checks one:
 * the format, the document's digest (the `messageDigest` signed attribute), the signature over the
 * signed attributes, the signer certificate's validity period, its chain to one of the configured
 * trusted roots, the revocation status of every certificate below the root against the configured
 * CRLs (revocation.ts), and that the signer is the applicant (INN / INNLE / OGRN / SNILS in the subject).
 * The first failure gives the stable reason code; the report lists every check made.
 *
 * RSA and ECDSA go through pkijs (WebCrypto); GOST R 34.10-2012 through gost.ts. pkijs may throw
 * rather than answer false on altered content: both count as invalid.
 */
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as never }));

export const signatureReasonCodes = [
  'signature_malformed',
  'signer_certificate_missing',
  'algorithm_unsupported',
  'document_digest_mismatch',
  'signature_invalid',
  'certificate_not_yet_valid',
  'certificate_expired',
  'certificate_untrusted',
  'certificate_revoked',
  'revocation_unknown',
  'signer_mismatch',
] as const;
export type SignatureReasonCode = (typeof signatureReasonCodes)[number];

export const subjectOids = {
  inn: '1.2.643.3.131.1.1',
  ogrn: '1.2.643.100.1',
  snils: '1.2.643.100.3',
  innle: '1.2.643.100.4',
  ogrnip: '1.2.643.100.5',
  commonName: '2.5.4.3',
} as const;

const DIGESTS: Record<string, { name: string; node?: string; streebog?: 256 | 512 }> = {
  '1.3.14.3.2.26': { name: 'sha1', node: 'sha1' },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', node: 'sha256' },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', node: 'sha384' },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', node: 'sha512' },
  [gostOids.streebog256]: { name: 'streebog256', streebog: 256 },
  [gostOids.streebog512]: { name: 'streebog512', streebog: 512 },
};
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const SIGNING_TIME = '1.2.840.113549.1.9.5';
const BASIC_CONSTRAINTS = '2.5.29.19';

type Family = 'rsa' | 'ecdsa' | 'gost2012-256' | 'gost2012-512';
const FAMILY: Record<string, Family> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.10045.2.1': 'ecdsa',
  [gostOids.publicKey256]: 'gost2012-256',
  [gostOids.publicKey512]: 'gost2012-512',
};

export interface VerifyInput {
  document: Uint8Array;
  /** DER, or PEM text (`-----BEGIN CMS-----` / `PKCS7`). */
  signature: Uint8Array;
  /** DER certificates of the trusted roots. */
  trustedRoots: readonly Uint8Array[];
  /** Who must have signed: the applicant as stated in the application. */
  expected: Applicant;
  /** CRLs (DER or PEM) of the issuers; see revocation.ts. */
  crls?: readonly Uint8Array[];
  /** `strict`: a certificate whose status cannot be told is refused (revocation_unknown); `warn` (default): accepted with a warning. */
  revocationPolicy?: RevocationPolicy;
  now?: Date;
}

type Check = VerificationReport['checks'][number];

class Refused extends Error {
  constructor(readonly code: SignatureReasonCode, readonly check: Check['check'], detail: string) {
    super(detail);
  }
}

export async function verifyDetachedSignature(input: VerifyInput): Promise<VerificationReport> {
  const now = input.now ?? new Date();
  const checks: Check[] = [];
  const report: VerificationReport = { ok: false, method: 'cms', algorithm: 'unknown', chain: [], verifiedAt: now.toISOString(), checks };
  const pass = (check: Check['check'], detail: string) => checks.push({ check, ok: true, detail });
  try {
    const der = derOf(input.signature);
    const { signedData, signerInfo, signerCert, certificates } = parse(der);
    report.signer = identityOf(signerCert);
    const family = FAMILY[signerCert.subjectPublicKeyInfo.algorithm.algorithmId];
    if (!family) throw new Refused('algorithm_unsupported', 'format', `public key algorithm ${signerCert.subjectPublicKeyInfo.algorithm.algorithmId}`);
    report.algorithm = family;
    const digest = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
    if (!digest) throw new Refused('algorithm_unsupported', 'format', `digest algorithm ${signerInfo.digestAlgorithm.algorithmId}`);
    report.digestAlgorithm = digest.name;
    const signingTime = attribute(signerInfo, SIGNING_TIME)?.toDate?.();
    if (signingTime) report.signingTime = signingTime.toISOString();
    pass('format', `CMS SignedData, ${signedData.signerInfos.length} signer(s), ${family} with ${digest.name}`);

    // Digest: only the signed attributes tell a changed document from a forged signature.
    const claimed = attribute(signerInfo, MESSAGE_DIGEST) as asn1js.OctetString | undefined;
    if (claimed) {
      const actual = digest.node ? createHash(digest.node).update(input.document).digest() : streebog(input.document, digest.streebog!);
      if (!Buffer.from(claimed.valueBlock.valueHexView).equals(actual)) throw new Refused('document_digest_mismatch', 'digest', 'the document is not the one that was signed');
      pass('digest', `${digest.name} of the document matches the signed messageDigest`);
    }

    const signatureOk = family.startsWith('gost')
      ? (await verifyGostCms(der, new Uint8Array(signerCert.toSchema().toBER(false)), input.document)) === 'ok'
      : await signedData
          .verify({ signer: 0, data: arrayBuffer(input.document), checkChain: false, extendedMode: true })
          .then((r) => r.signatureVerified === true, () => false);
    if (!signatureOk) throw new Refused(claimed ? 'signature_invalid' : 'document_digest_mismatch', 'signature', 'the signature does not verify with the signer certificate');
    pass('signature', 'the signature verifies with the signer certificate');

    checkValidity(signerCert, now, 'signer');
    pass('validity', `valid ${signerCert.notBefore.value.toISOString()} – ${signerCert.notAfter.value.toISOString()}`);

    const chain = await chainOf(signerCert, certificates, input.trustedRoots.map(parseCertificate), now);
    report.chain = chain.map((c) => nameOf(c.subject));
    pass('chain', `chain to a trusted root: ${report.chain.join(' → ')}`);

    const revocation = await checkRevocation(chain, parseCrls(input.crls ?? []), input.revocationPolicy ?? 'warn', now);
    if (revocation.refused) throw new Refused(revocation.refused.code, 'revocation', revocation.refused.detail);
    pass('revocation', revocation.detail);
    if (revocation.warnings.length) report.warnings = revocation.warnings;

    const mismatch = identityMismatch(report.signer, input.expected);
    if (mismatch) throw new Refused('signer_mismatch', 'identity', mismatch);
    pass('identity', 'the signer is the applicant');
    report.ok = true;
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    report.code = err.code;
    checks.push({ check: err.check, ok: false, detail: err.message });
  }
  return report;
}

function derOf(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (!text.startsWith('-----BEGIN')) return bytes;
  const body = Buffer.from(bytes).toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

function parse(der: Uint8Array) {
  const asn1 = asn1js.fromBER(arrayBuffer(der));
  if (asn1.offset === -1) throw new Refused('signature_malformed', 'format', 'not DER/BER');
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error(`content type ${contentInfo.contentType}`);
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    throw new Refused('signature_malformed', 'format', `not a CMS SignedData: ${(err as Error).message}`);
  }
  if (signedData.encapContentInfo.eContent) throw new Refused('signature_malformed', 'format', 'the signature is attached, not detached');
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) throw new Refused('signature_malformed', 'format', 'no signer');
  const certificates = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const signerCert = certificates.find((c) => matchesSigner(c, signerInfo.sid));
  if (!signerCert) throw new Refused('signer_certificate_missing', 'format', 'the signer certificate is not in the signature');
  return { signedData, signerInfo, signerCert, certificates };
}

function matchesSigner(cert: pkijs.Certificate, sid: pkijs.SignerInfo['sid']): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) return cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber);
  const keyId = (sid as asn1js.Constructed).valueBlock?.value?.[0] as asn1js.OctetString | undefined;
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
  return Boolean(keyId && ski && Buffer.from(keyId.valueBlock.valueHexView).equals(Buffer.from(ski.valueBlock.valueHexView)));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- attribute values are ASN.1 of several types
function attribute(signerInfo: pkijs.SignerInfo, oid: string): any {
  return signerInfo.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
}

function checkValidity(cert: pkijs.Certificate, now: Date, who: string) {
  if (cert.notBefore.value > now) throw new Refused('certificate_not_yet_valid', 'validity', `the ${who} certificate is valid from ${cert.notBefore.value.toISOString()}`);
  if (cert.notAfter.value < now) throw new Refused('certificate_expired', 'validity', `the ${who} certificate expired on ${cert.notAfter.value.toISOString()}`);
}

/** From the signer up to a trusted root, over the certificates in the signature; signer first. */
async function chainOf(signer: pkijs.Certificate, included: pkijs.Certificate[], roots: pkijs.Certificate[], now: Date): Promise<pkijs.Certificate[]> {
  const chain = [signer];
  let current = signer;
  for (let depth = 0; depth < 6; depth++) {
    if (roots.some((r) => sameCertificate(r, current))) return chain;
    const candidates = [...roots, ...included.filter((c) => !sameCertificate(c, current))].filter((c) => c.subject.isEqual(current.issuer));
    let issuer: pkijs.Certificate | undefined;
    for (const candidate of candidates) if (await signedBy(current, candidate)) { issuer = candidate; break; }
    if (!issuer) throw new Refused('certificate_untrusted', 'chain', `no trusted issuer for "${nameOf(current.issuer)}"`);
    const isRoot = roots.some((r) => sameCertificate(r, issuer));
    if (!isRoot && !isCa(issuer)) throw new Refused('certificate_untrusted', 'chain', `"${nameOf(issuer.subject)}" is not a CA`);
    checkValidity(issuer, now, `issuer "${nameOf(issuer.subject)}"`);
    chain.push(issuer);
    if (isRoot) return chain;
    current = issuer;
  }
  throw new Refused('certificate_untrusted', 'chain', 'the chain is too long');
}

async function signedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<boolean> {
  if (FAMILY[issuer.subjectPublicKeyInfo.algorithm.algorithmId]?.startsWith('gost')) {
    return verifyGostCertificate(new Uint8Array(cert.toSchema().toBER(false)), new Uint8Array(issuer.toSchema().toBER(false)));
  }
  return cert.verify(issuer).catch(() => false);
}

function isCa(cert: pkijs.Certificate) {
  const ext = cert.extensions?.find((e) => e.extnID === BASIC_CONSTRAINTS);
  return Boolean((ext?.parsedValue as pkijs.BasicConstraints | undefined)?.cA);
}

const sameCertificate = (a: pkijs.Certificate, b: pkijs.Certificate) => Buffer.from(a.toSchema().toBER(false)).equals(Buffer.from(b.toSchema().toBER(false)));

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  const asn1 = asn1js.fromBER(arrayBuffer(der));
  if (asn1.offset === -1) throw new Error('certificate: not DER');
  return new pkijs.Certificate({ schema: asn1.result });
}

const valueOf = (v: { valueBlock: { value?: unknown } }) => String((v.valueBlock as { value?: unknown }).value ?? '');

function nameOf(name: pkijs.RelativeDistinguishedNames): string {
  const short: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.6': 'C', '2.5.4.7': 'L', [subjectOids.inn]: 'INN', [subjectOids.ogrn]: 'OGRN', [subjectOids.snils]: 'SNILS', [subjectOids.innle]: 'INNLE' };
  return name.typesAndValues.map((tv) => `${short[tv.type] ?? tv.type}=${valueOf(tv.value)}`).join(', ');
}

function identityOf(cert: pkijs.Certificate): SignerIdentity {
  const attr = (oid: string) => {
    const found = cert.subject.typesAndValues.find((tv) => tv.type === oid);
    return found ? valueOf(found.value) : undefined;
  };
  const fields = { commonName: attr(subjectOids.commonName), inn: attr(subjectOids.inn), innle: attr(subjectOids.innle), ogrn: attr(subjectOids.ogrn) ?? attr(subjectOids.ogrnip), snils: attr(subjectOids.snils) };
  return {
    subject: nameOf(cert.subject),
    issuer: nameOf(cert.issuer),
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
}

/**
 * Why the certificate's subject is not the applicant, or undefined. Pure. An organisation is matched
 * by INN (INNLE, or the INN attribute, which older certificates fill with "00" + the 10 digits) and
 * must not contradict its OGRN; a person by SNILS or their 12-digit INN, none contradicting.
 */
export function identityMismatch(signer: SignerIdentity, expected: Applicant): string | undefined {
  const digits = (v: string | undefined) => v?.replace(/\D/g, '');
  const inn = digits(signer.inn);
  const innle = digits(signer.innle);
  if (expected.kind === 'organisation') {
    const matches = Boolean(expected.inn) && (innle === expected.inn || inn === expected.inn || inn === `00${expected.inn}`);
    if (!matches) return `the certificate's INN (${innle ?? inn ?? 'none'}) is not the applicant's`;
    if (signer.ogrn && expected.ogrn && digits(signer.ogrn) !== expected.ogrn) return "the certificate's OGRN is not the applicant's";
    return undefined;
  }
  const snils = digits(signer.snils);
  const checks = [
    expected.snils && snils ? snils === expected.snils : undefined,
    expected.inn && inn ? inn === expected.inn : undefined,
  ].filter((c): c is boolean => c !== undefined);
  if (checks.length === 0) return 'the certificate names neither the SNILS nor the INN of the applicant';
  return checks.every(Boolean) ? undefined : "the certificate's SNILS or INN is not the applicant's";
}

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
