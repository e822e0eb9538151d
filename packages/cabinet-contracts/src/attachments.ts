import { Type, type Static } from 'typebox';
import { Id } from './primitives.js';

/**
 * Files that cross the bus with applications, requests and their messages. They travel inline, base64,
 * inside the command or event that carries them, so a message is one unit (no chunk can go missing).
 * The caps keep every message well below RabbitMQ's `max_message_size` (16 MiB by default since 4.0):
 * at most 5 files of 4 MiB each, 8 MiB in all per message (≈ 10.7 MiB as base64).
 */
export const attachmentLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxFilesPerMessage: 5,
  maxMessageBytes: 8 * 1024 * 1024,
  /** What either side accepts, sniffed from the bytes (never from the name). */
  mediaTypes: ['application/pdf', 'image/png', 'image/jpeg', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
} as const;

export const BusAttachment = Type.Object({
  attachmentId: Id,
  fileName: Type.String({ minLength: 1, maxLength: 255 }),
  mediaType: Type.String({ maxLength: 128 }),
  sizeBytes: Type.Integer({ minimum: 1, maximum: attachmentLimits.maxFileBytes }),
  /** SHA-256 of the bytes, hex: the receiver checks it. */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  contentBase64: Type.String({ maxLength: Math.ceil(attachmentLimits.maxFileBytes / 3) * 4 }),
});
export type BusAttachment = Static<typeof BusAttachment>;

export const BusAttachments = Type.Array(BusAttachment, { maxItems: attachmentLimits.maxFilesPerMessage });

/** A message of a thread (application or request), either way. */
export const threadMessageProperties = {
  messageId: Id,
  text: Type.String({ maxLength: 10_000 }),
  at: Type.String({ format: 'date-time' }),
  attachments: BusAttachments,
};
