import { attachmentLimits } from '@app/cabinet-contracts';
import { Type } from 'typebox';

export const UploadBody = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\u0000]+$' }),
    /** The file, base64 (≤ 4 MiB decoded). Its type is read from the bytes, not from the name. */
    contentBase64: Type.String({ minLength: 1, maxLength: Math.ceil(attachmentLimits.maxFileBytes / 3) * 4 + 4 }),
  },
  { additionalProperties: false },
);
export const AttachmentView = Type.Object({
  id: Type.String(),
  fileName: Type.String(),
  mediaType: Type.String(),
  sizeBytes: Type.Integer(),
  sha256: Type.String(),
  direction: Type.Union([Type.Literal('consumer'), Type.Literal('supplier')]),
  createdAt: Type.String({ format: 'date-time' }),
});
export const AttachmentParams = Type.Object({ attachmentId: Type.String({ format: 'uuid' }) });
/** Ids of files uploaded before (POST /api/attachments) to send with a form or a message. */
export const AttachmentIds = Type.Array(Type.String({ format: 'uuid' }), { maxItems: attachmentLimits.maxFilesPerMessage, uniqueItems: true });
/** JSON bodies that carry a file: the base64 of 4 MiB plus the rest. */
export const UPLOAD_BODY_LIMIT = 6 * 1024 * 1024;
