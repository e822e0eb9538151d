import { createHash, randomUUID } from 'node:crypto';
import { attachmentLimits, type BusAttachment } from '@app/cabinet-contracts';
import { AppError, badRequest, notFound, sniffMediaType, unprocessable, type Database } from '@app/kernel';
import type { Selectable, Transaction } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import type { AttachmentOwnerKind, AttachmentsTable } from '../documents.tables.js';
import type { CabinetFrontDb } from '../tables.js';
import { ownedOrMember } from '../threads.js';

type Trx = Transaction<CabinetFrontDb>;
const allowed: readonly string[] = attachmentLimits.mediaTypes;

/** Checks a file by its bytes: size and type limits. Pure; the error names the field. */
export function checkFile(bytes: Buffer, field = 'contentBase64'): string {
  if (bytes.length === 0) throw unprocessable('attachment_empty', 'The file is empty', { errors: [{ field, code: 'attachment_empty', message: 'The file is empty' }] });
  if (bytes.length > attachmentLimits.maxFileBytes) {
    throw new AppError('attachment_too_large', 413, `A file may be at most ${attachmentLimits.maxFileBytes} bytes`, { errors: [{ field, code: 'attachment_too_large', message: 'The file is too large' }] });
  }
  const type = sniffMediaType(bytes);
  if (!type || !allowed.includes(type)) {
    throw new AppError('attachment_type_not_allowed', 415, 'Only PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx) files are accepted', { errors: [{ field, code: 'attachment_type_not_allowed', message: `type ${type ?? 'unknown'} is not accepted` }] });
  }
  return type;
}

export function decodeBase64(text: string, field = 'contentBase64'): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw badRequest('base64_invalid', 'The content is not valid base64', field);
  return Buffer.from(clean, 'base64');
}

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Files that came from the supplier with an event, stored encrypted under the thread's user. */
export async function storeIncomingAttachments(trx: Trx, pii: Pii, userId: string, owner: { kind: AttachmentOwnerKind; id: string }, files: readonly BusAttachment[]) {
  for (const file of files) {
    const bytes = Buffer.from(file.contentBase64, 'base64');
    // The back checked the type when the employee attached it; the digest proves the bytes came whole.
    if (sha256Hex(bytes) !== file.sha256) throw new Error(`attachment ${file.attachmentId}: digest mismatch`);
    await trx
      .insertInto('attachments')
      .values({
        id: file.attachmentId,
        user_id: userId,
        direction: 'supplier',
        owner_kind: owner.kind,
        owner_id: owner.id,
        file_name_enc: pii.seal('attachments', 'file_name_enc', file.attachmentId, file.fileName),
        media_type: file.mediaType,
        size_bytes: bytes.length,
        sha256: file.sha256,
        content_enc: pii.seal('attachments', 'content_enc', file.attachmentId, file.contentBase64),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

/**
 * Files both ways, stored encrypted (name and bytes: personal data may be in them). The consumer
 * uploads first and sends the ids with a form or a message; `claim` attaches them in that transaction
 * and returns them as they cross the bus.
 */
export class Attachments {
  constructor(private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii }) {}

  async upload(userId: string, input: { fileName: string; contentBase64: string }) {
    const bytes = decodeBase64(input.contentBase64);
    const mediaType = checkFile(bytes);
    const id = randomUUID();
    const { pii } = this.deps;
    const row = await this.deps.database.db
      .insertInto('attachments')
      .values({
        id,
        user_id: userId,
        direction: 'consumer',
        owner_kind: null,
        owner_id: null,
        file_name_enc: pii.seal('attachments', 'file_name_enc', id, input.fileName.trim()),
        media_type: mediaType,
        size_bytes: bytes.length,
        sha256: sha256Hex(bytes),
        content_enc: pii.seal('attachments', 'content_enc', id, bytes.toString('base64')),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.view(row);
  }

  /** Attaches the caller's unattached uploads to `owner`; unknown or used ids are a 422 naming the field. */
  async claim(trx: Trx, userId: string, ids: readonly string[] | undefined, owner: { kind: AttachmentOwnerKind; id: string }, field = 'attachmentIds'): Promise<BusAttachment[]> {
    if (!ids || ids.length === 0) return [];
    const rows = await trx.selectFrom('attachments').selectAll().where('id', 'in', [...ids]).where('user_id', '=', userId).where('owner_id', 'is', null).forUpdate().execute();
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) {
      throw unprocessable('attachment_not_found', 'Upload the files first; each can be sent once', { errors: missing.map((id) => ({ field: `${field}/${ids.indexOf(id)}`, code: 'attachment_not_found', message: `no unsent upload ${id}` })) });
    }
    const total = rows.reduce((sum, r) => sum + r.size_bytes, 0);
    if (total > attachmentLimits.maxMessageBytes) {
      throw new AppError('attachments_too_large', 413, `Files sent together may be at most ${attachmentLimits.maxMessageBytes} bytes`, { errors: [{ field, code: 'attachments_too_large', message: 'Too many bytes in one message' }] });
    }
    await trx.updateTable('attachments').set({ owner_kind: owner.kind, owner_id: owner.id }).where('id', 'in', [...ids]).execute();
    return ids.map((id) => this.forBus(rows.find((r) => r.id === id)!));
  }

  async listFor(kind: AttachmentOwnerKind, ownerIds: readonly string[]) {
    if (ownerIds.length === 0) return new Map<string, ReturnType<Attachments['view']>[]>();
    const rows = await this.deps.database.db.selectFrom('attachments').selectAll().where('owner_kind', '=', kind).where('owner_id', 'in', [...ownerIds]).orderBy('created_at').execute();
    const byOwner = new Map<string, ReturnType<Attachments['view']>[]>();
    for (const row of rows) byOwner.set(row.owner_id!, [...(byOwner.get(row.owner_id!) ?? []), this.view(row)]);
    return byOwner;
  }

  /** The file, when the caller may see it: their own upload, or one of a thread they can see. */
  async download(userId: string, id: string) {
    const db = this.deps.database.db;
    const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !(await this.visible(userId, row))) throw notFound('attachment_not_found', 'No such attachment');
    const content = Buffer.from(this.deps.pii.open('attachments', 'content_enc', row.id, row.content_enc), 'base64');
    return { ...this.view(row), content };
  }

  private async visible(userId: string, row: Selectable<AttachmentsTable>): Promise<boolean> {
    const db = this.deps.database.db;
    if (!row.owner_kind || !row.owner_id) return row.user_id === userId;
    const root =
      row.owner_kind === 'application' ? { table: 'applications' as const, id: row.owner_id }
      : row.owner_kind === 'request' ? { table: 'requests' as const, id: row.owner_id }
      : row.owner_kind === 'application_message'
        ? { table: 'applications' as const, id: (await db.selectFrom('application_messages').select('application_id').where('id', '=', row.owner_id).executeTakeFirst())?.application_id }
        : { table: 'requests' as const, id: (await db.selectFrom('request_messages').select('request_id').where('id', '=', row.owner_id).executeTakeFirst())?.request_id };
    if (!root.id) return false;
    const found = await db.selectFrom(root.table).select('id').where('id', '=', root.id).where(ownedOrMember(userId)).executeTakeFirst();
    return Boolean(found);
  }

  view(row: Selectable<AttachmentsTable>) {
    return {
      id: row.id,
      fileName: this.deps.pii.open('attachments', 'file_name_enc', row.id, row.file_name_enc),
      mediaType: row.media_type,
      sizeBytes: row.size_bytes,
      sha256: row.sha256,
      direction: row.direction,
      createdAt: row.created_at.toISOString(),
    };
  }

  private forBus(row: Selectable<AttachmentsTable>): BusAttachment {
    const { pii } = this.deps;
    return {
      attachmentId: row.id,
      fileName: pii.open('attachments', 'file_name_enc', row.id, row.file_name_enc),
      mediaType: row.media_type,
      sizeBytes: row.size_bytes,
      sha256: row.sha256,
      contentBase64: pii.open('attachments', 'content_enc', row.id, row.content_enc),
    };
  }
}
