import { Type, type Static } from 'typebox';
import { Id } from './primitives.js';

/**
 * A document was signed in the cabinet. The front verified the signature (it holds the document bytes
 * it served and the consumer's identity; see cabinet-front/src/signatures) and sends the signature with
 * its verification report; the back checks the digest is the document it issued, stores both, and
 * moves the application on (`application.status-changed` signed).
 */
export const signatureCommandTopics = { sign: 'cabinet.cmd.document.sign' } as const;

export const SignerIdentity = Type.Object({
  subject: Type.String({ maxLength: 2000 }),
  issuer: Type.String({ maxLength: 2000 }),
  serialNumber: Type.String({ maxLength: 128 }),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  commonName: Type.Optional(Type.String()),
  inn: Type.Optional(Type.String()),
  innle: Type.Optional(Type.String()),
  ogrn: Type.Optional(Type.String()),
  snils: Type.Optional(Type.String()),
});
export type SignerIdentity = Static<typeof SignerIdentity>;

export const VerificationCheck = Type.Object({
  check: Type.Union([Type.Literal('format'), Type.Literal('digest'), Type.Literal('signature'), Type.Literal('validity'), Type.Literal('chain'), Type.Literal('revocation'), Type.Literal('identity'), Type.Literal('code')]),
  ok: Type.Boolean(),
  detail: Type.String({ maxLength: 2000 }),
});

export const VerificationReport = Type.Object({
  ok: Type.Boolean(),
  /** Stable reason when not ok (signature_malformed, document_digest_mismatch, signature_invalid, certificate_expired, certificate_not_yet_valid, certificate_untrusted, certificate_revoked, revocation_unknown, signer_mismatch, algorithm_unsupported). */
  code: Type.Optional(Type.String()),
  method: Type.Union([Type.Literal('cms'), Type.Literal('simple')]),
  /** rsa | ecdsa | gost2012-256 | gost2012-512 | otp */
  algorithm: Type.String(),
  digestAlgorithm: Type.Optional(Type.String()),
  signer: Type.Optional(SignerIdentity),
  /** The signer's certificate chain up to the trusted root, subjects. */
  chain: Type.Array(Type.String()),
  signingTime: Type.Optional(Type.String({ format: 'date-time' })),
  verifiedAt: Type.String({ format: 'date-time' }),
  checks: Type.Array(VerificationCheck),
  /** What could not be checked but did not refuse the signature (a revocation status unknown under the `warn` policy). */
  warnings: Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 20 })),
});
export type VerificationReport = Static<typeof VerificationReport>;

export const DocumentSigned = Type.Object({
  signatureId: Id,
  documentId: Id,
  /** Absent for an agreement to a contract in force (no application). */
  applicationId: Type.Optional(Id),
  userRef: Id,
  /** Who signed, as the cabinet knows them (the user's name and login). */
  signedBy: Type.Object({ name: Type.String({ maxLength: 300 }), login: Type.String({ maxLength: 254 }) }),
  method: Type.Union([Type.Literal('cms'), Type.Literal('simple')]),
  /** SHA-256 of the document bytes the signature covers, hex. */
  documentSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** The detached CMS (DER, base64); absent for a simple signature. ≤ 64 KiB. */
  signatureBase64: Type.Optional(Type.String({ maxLength: 90_000 })),
  report: VerificationReport,
  signedAt: Type.String({ format: 'date-time' }),
});
export type DocumentSigned = Static<typeof DocumentSigned>;
