import { randomUUID, createHash } from 'node:crypto';
import { attachmentLimits, type BusAttachment } from '@app/cabinet-contracts';
import { AppError, badRequest, sniffMediaType, unprocessable, type Executor } from '@app/kernel';
import type { CabinetBackDb } from '../tables.js';

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Files that came with a command: checked against their digest, stored as they are. */
export async function storeIncoming(trx: Executor<CabinetBackDb>, owner: { kind: 'application' | 'request' | 'message'; id: string }, files: readonly BusAttachment[]) {
  for (const file of files) {
    const content = Buffer.from(file.contentBase64, 'base64');
    if (sha256Hex(content) !== file.sha256) throw new Error(`attachment ${file.attachmentId}: digest mismatch`);
    await trx
      .insertInto('back_attachments')
      .values({ id: file.attachmentId, owner_kind: owner.kind, owner_id: owner.id, direction: 'consumer', file_name: file.fileName, media_type: file.mediaType, size_bytes: content.length, sha256: file.sha256, content })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

/**
 * An employee's files (JSON, base64): the same limits as the cabinet's — type sniffed from the bytes,
 * ≤ 4 MiB each, ≤ 5 and 8 MiB per message — so they cross the bus as they are.
 */
export function employeeFiles(files: ReadonlyArray<{ fileName: string; contentBase64: string }> | undefined): BusAttachment[] {
  const result = (files ?? []).map((f, i) => {
    const field = `attachments/${i}/contentBase64`;
    const clean = f.contentBase64.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw badRequest('base64_invalid', 'The content is not valid base64', field);
    const bytes = Buffer.from(clean, 'base64');
    if (bytes.length === 0) throw unprocessable('attachment_empty', 'The file is empty', { errors: [{ field, code: 'attachment_empty', message: 'empty' }] });
    if (bytes.length > attachmentLimits.maxFileBytes) throw new AppError('attachment_too_large', 413, 'The file is too large', { errors: [{ field, code: 'attachment_too_large', message: 'too large' }] });
    const type = sniffMediaType(bytes);
    if (!type || !(attachmentLimits.mediaTypes as readonly string[]).includes(type)) {
      throw new AppError('attachment_type_not_allowed', 415, 'Only PDF, PNG, JPEG, .docx and .xlsx files are accepted', { errors: [{ field, code: 'attachment_type_not_allowed', message: `type ${type ?? 'unknown'}` }] });
    }
    return { attachmentId: randomUUID(), fileName: f.fileName, mediaType: type, sizeBytes: bytes.length, sha256: sha256Hex(bytes), contentBase64: bytes.toString('base64') };
  });
  if (result.reduce((n, f) => n + f.sizeBytes, 0) > attachmentLimits.maxMessageBytes) throw new AppError('attachments_too_large', 413, 'Too many bytes in one message', { errors: [{ field: 'attachments', code: 'attachments_too_large', message: 'too large' }] });
  return result;
}

export async function storeOutgoing(trx: Executor<CabinetBackDb>, ownerId: string, files: readonly BusAttachment[]) {
  for (const f of files) {
    await trx.insertInto('back_attachments').values({ id: f.attachmentId, owner_kind: 'message', owner_id: ownerId, direction: 'supplier', file_name: f.fileName, media_type: f.mediaType, size_bytes: f.sizeBytes, sha256: f.sha256, content: Buffer.from(f.contentBase64, 'base64') }).execute();
  }
}
