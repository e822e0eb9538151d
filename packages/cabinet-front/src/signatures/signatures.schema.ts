import { VerificationReport } from '@app/cabinet-contracts';
import { Type } from 'typebox';

export const CmsSignatureBody = Type.Object(
  {
    /**
     * The detached CMS/PKCS#7 SignedData over the document's bytes exactly as served by
     * GET /api/documents/:documentId/pdf: DER (or PEM text) as base64. A browser crypto plugin
     * (CryptoPro CAdES: `CADESCOM_CADES_BES`, detached) yields this base64 directly.
     */
    signatureBase64: Type.String({ minLength: 16, maxLength: 90_000 }),
  },
  { additionalProperties: false },
);
export const DocumentsQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('issued'), Type.Literal('signed')])) });
export const SimpleConfirmBody = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });
export const SimpleParams = Type.Object({ documentId: Type.String({ format: 'uuid' }), challengeId: Type.String({ format: 'uuid' }) });
export const SignatureAnswer = Type.Object({ signatureId: Type.String(), documentId: Type.String(), status: Type.Literal('signed'), report: VerificationReport });
export const ChallengeAnswer = Type.Object({ challengeId: Type.String(), expiresAt: Type.String({ format: 'date-time' }), resendAfterSeconds: Type.Integer(), sentTo: Type.String() });
