import type { VerificationReport } from '@app/cabinet-contracts';
import { notFound, type Database } from '@app/kernel';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { inScope, rightsFor } from '../members/scope.js';
import type { Pii } from '../crypto/pii.js';
import type { DocumentsTable } from '../documents.tables.js';
import type { CabinetFrontDb } from '../tables.js';
import { ownedOrMember } from '../threads.js';

/**
 * Documents the supplier issued for signature (contract, additional agreements), with who signed them
 * and when. A document is visible to whoever sees its application.
 */
export async function documentViews(db: Kysely<CabinetFrontDb>, pii: Pii, userId: string, applicationIds: string[]) {
  if (applicationIds.length === 0) return [];
  const rows = await db.selectFrom('documents').selectAll().where('application_id', 'in', applicationIds).orderBy('issued_at').orderBy('id').execute();
  return Promise.all(rows.map((r) => documentView(db, pii, userId, r)));
}

/**
 * The rule of SignaturesService.signable, without its status checks: an application's applicant signs
 * its documents; anyone else — and anyone for an agreement — needs the "sign" right for the consumer.
 */
async function maySign(db: Kysely<CabinetFrontDb>, userId: string, row: Selectable<DocumentsTable>): Promise<boolean> {
  let consumerRef = row.consumer_ref;
  if (row.application_id) {
    const application = await db.selectFrom('applications').select(['user_id', 'consumer_ref']).where('id', '=', row.application_id).executeTakeFirst();
    if (application?.user_id === userId) return true;
    consumerRef = application?.consumer_ref ?? null;
  }
  if (!consumerRef) return false;
  return (await rightsFor(db, userId, consumerRef))?.rights.includes('sign') ?? false;
}

export async function documentView(db: Kysely<CabinetFrontDb>, pii: Pii, userId: string, row: Selectable<DocumentsTable>) {
  const [signatures, canSign] = await Promise.all([db.selectFrom('document_signatures').selectAll().where('document_id', '=', row.id).orderBy('signed_at').execute(), maySign(db, userId, row)]);
  return {
    id: row.id,
    ...(row.application_id ? { applicationId: row.application_id } : {}),
    ...(row.contract_number ? { contractNumber: row.contract_number } : {}),
    kind: row.kind,
    title: row.title,
    fileName: row.file_name,
    sha256: row.sha256,
    allowSimpleSignature: row.allow_simple_signature,
    status: row.status,
    issuedAt: new Date(row.issued_at).toISOString(),
    ...(row.signed_at ? { signedAt: row.signed_at.toISOString() } : {}),
    canSign,
    signatures: signatures.map((s) => {
      const report = JSON.parse(pii.open('document_signatures', 'report_enc', s.id, s.report_enc)) as VerificationReport & { signedBy?: string };
      return { id: s.id, method: s.method, algorithm: s.algorithm, signedBy: report.signedBy ?? '', ...(report.signer ? { signer: report.signer } : {}), signedAt: s.signed_at.toISOString() };
    }),
  };
}

/** Documents the caller may see: of their applications, or agreements to contracts of consumers they act for. */
export const visibleDocument = (userId: string) => (eb: ExpressionBuilder<CabinetFrontDb, 'documents'>) =>
  eb.or([eb('documents.application_id', 'in', eb.selectFrom('applications').select('id').where(ownedOrMember(userId))), inScope(userId, 'view', 'documents.consumer_ref')]);

/** A document the caller may see, or 404. */
export async function findDocument(database: Database<CabinetFrontDb>, userId: string, documentId: string) {
  const row = await database.db.selectFrom('documents').selectAll('documents').where('documents.id', '=', documentId).where(visibleDocument(userId)).executeTakeFirst();
  if (!row) throw notFound('document_not_found', 'No such document');
  return row;
}

/** The caller's documents, newest first: `issued` ones are those awaiting a signature. */
export async function listDocuments(database: Database<CabinetFrontDb>, pii: Pii, userId: string, query: { status?: 'issued' | 'signed'; limit: number; offset: number }) {
  let base = database.db.selectFrom('documents').where(visibleDocument(userId));
  if (query.status) base = base.where('documents.status', '=', query.status);
  const [rows, n] = await Promise.all([
    base.selectAll('documents').orderBy('documents.issued_at', 'desc').orderBy('documents.id').limit(query.limit).offset(query.offset).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await Promise.all(rows.map((r) => documentView(database.db, pii, userId, r))), total: Number(n.n), limit: query.limit, offset: query.offset };
}
