import { randomUUID } from 'node:crypto';
import { signatureCommandTopics, type Applicant, type DocumentSigned, type VerificationReport } from '@app/cabinet-contracts';
import { AppError, conflict, enqueueMessage, notFound, recordAudit, unprocessable, type AuditEntry, type Database } from '@app/kernel';
import type { Selectable } from 'kysely';
import type { Applications } from '../applications/applications.service.js';
import type { DocumentsTable } from '../documents.tables.js';
import { documentView, findDocument, listDocuments } from '../applications/documents.js';
import { decodeBase64, sha256Hex } from '../attachments/attachments.service.js';
import { maskContact, type Contact } from '../auth/contact.js';
import { describeConsumerUser } from '../auth/consumer-users.repo.js';
import { challengeRefusal, codeHash, defaultOtpPolicy, newChallengeId, newCode, sameHash, wrongCode, type OtpPolicy } from '../auth/otp.js';
import { consumeChallenge, findChallenge, insertChallenge, takeAttempt } from '../auth/otp.repo.js';
import type { OtpSender } from '../auth/otp-sender.js';
import { contactIndexOf } from '../auth/contact.js';
import type { Pii } from '../crypto/pii.js';
import { requireRight } from '../members/scope.js';
import type { CabinetFrontDb } from '../tables.js';
import type { RevocationPolicy } from './revocation.js';
import { verifyDetachedSignature } from './verify.js';

/**
 * Signing documents in the cabinet. **Verification runs here, in the front**: it holds the exact bytes
 * it served (the encrypted copy of the document) and the applicant's identity, and the consumer gets
 * the verdict at once. Only an accepted signature is stored (with its report) and sent to the back
 * (`cabinet.cmd.document.sign`, same transaction), where the back office sees it; the back checks the
 * digest is the document it issued.
 *
 * A document can carry several signatures (co-signers); the first makes it `signed`.
 */
export class Signatures {
  private readonly policy: OtpPolicy;
  constructor(
    private readonly deps: {
      database: Database<CabinetFrontDb>;
      pii: Pii;
      applications: Applications;
      trustedRoots: () => readonly Uint8Array[];
      /** CRLs of the issuers (revocation.ts) and what an unknown status does; default none, `warn`. */
      crls?: () => readonly Uint8Array[];
      revocationPolicy?: RevocationPolicy;
      sender: OtpSender;
      otpPolicy?: Partial<OtpPolicy>;
      nudge: () => void;
      now?: () => Date;
    },
  ) {
    this.policy = { ...defaultOtpPolicy, ...deps.otpPolicy };
  }

  async get(userId: string, documentId: string) {
    const row = await findDocument(this.deps.database, userId, documentId);
    return documentView(this.deps.database.db, this.deps.pii, userId, row);
  }

  async pdf(userId: string, documentId: string) {
    const row = await findDocument(this.deps.database, userId, documentId);
    return { fileName: row.file_name, bytes: this.bytesOf(row) };
  }

  async signCms(userId: string, documentId: string, signatureBase64: string, audit: Partial<AuditEntry>) {
    const { row, expected } = await this.signable(userId, documentId);
    const signature = decodeBase64(signatureBase64, 'signatureBase64');
    const report = await verifyDetachedSignature({
      document: this.bytesOf(row),
      signature,
      trustedRoots: this.deps.trustedRoots(),
      crls: this.deps.crls?.() ?? [],
      revocationPolicy: this.deps.revocationPolicy,
      expected,
      now: this.deps.now?.(),
    });
    if (!report.ok) {
      await recordAudit(this.deps.database.db, { ...audit, action: 'document.sign', targetType: 'document', targetId: documentId, outcome: 'failure', details: { code: report.code } });
      throw unprocessable(report.code!, `The signature is not accepted: ${report.checks.at(-1)?.detail ?? report.code}`, { report, errors: [{ field: 'signatureBase64', code: report.code!, message: report.checks.at(-1)?.detail ?? '' }] });
    }
    return this.record(userId, row, { method: 'cms', report, signature }, audit);
  }

  async startSimple(userId: string, documentId: string) {
    const { row } = await this.signable(userId, documentId);
    if (!row.allow_simple_signature) throw conflict('simple_signature_not_allowed', 'The supplier asks for an electronic signature with a certificate for this document');
    const contact = await this.contactOf(userId);
    const id = newChallengeId();
    const code = newCode();
    const expiresAt = new Date(Date.now() + this.policy.ttlMinutes * 60_000);
    const { pii } = this.deps;
    await insertChallenge(this.deps.database.db, {
      id,
      purpose: 'sign',
      contact_kind: contact.kind,
      contact_index: contactIndexOf(pii, contact),
      contact_enc: pii.seal('otp_challenges', 'contact_enc', id, contact.value),
      user_id: userId,
      // Bound to the document: the code cannot sign another one.
      code_hash: codeHash(pii, `${id}:${documentId}`, code),
      expires_at: expiresAt,
      max_attempts: this.policy.maxAttempts,
    });
    await this.deps.sender.send({ to: contact, kind: 'sign', code, expiresAt });
    return { challengeId: id, expiresAt: expiresAt.toISOString(), resendAfterSeconds: this.policy.resendSeconds, sentTo: maskContact(contact) };
  }

  async confirmSimple(userId: string, documentId: string, challengeId: string, code: string, audit: Partial<AuditEntry>) {
    const { row } = await this.signable(userId, documentId);
    const db = this.deps.database.db;
    const challenge = await findChallenge(db, challengeId, 'sign');
    if (!challenge || challenge.user_id !== userId) throw notFound('otp_challenge_not_found', 'No such confirmation request; start again');
    const refusal = challengeRefusal(challenge, new Date());
    if (refusal) throw refusal;
    const taken = await takeAttempt(db, challengeId);
    if (!taken) throw challengeRefusal((await findChallenge(db, challengeId, 'sign'))!, new Date()) ?? wrongCode(0);
    if (!sameHash(taken.code_hash, codeHash(this.deps.pii, `${challengeId}:${documentId}`, code))) throw wrongCode(taken.max_attempts - taken.attempts);
    const now = this.deps.now?.() ?? new Date();
    const contact = await this.contactOf(userId);
    const report: VerificationReport = {
      ok: true,
      method: 'simple',
      algorithm: 'otp',
      chain: [],
      verifiedAt: now.toISOString(),
      checks: [{ check: 'code', ok: true, detail: `one-time code sent to ${maskContact(contact)} confirmed` }],
    };
    return this.record(userId, row, { method: 'simple', report, challengeId }, audit);
  }

  private async record(userId: string, row: Selectable<DocumentsTable>, s: { method: 'cms' | 'simple'; report: VerificationReport; signature?: Buffer; challengeId?: string }, audit: Partial<AuditEntry>) {
    const { pii } = this.deps;
    const signatureId = randomUUID();
    const user = await describeConsumerUser(this.deps.database.db, pii, userId);
    const signedBy = { name: user?.displayName || user?.login || '', login: user?.login ?? '' };
    const signedAt = new Date();
    const report = { ...s.report };
    await this.deps.database.transaction(async (trx) => {
      if (s.challengeId && !(await consumeChallenge(trx, s.challengeId))) throw new AppError('otp_already_used', 409, 'This code has been used already; start again');
      await trx
        .insertInto('document_signatures')
        .values({
          id: signatureId,
          document_id: row.id,
          user_id: userId,
          method: s.method,
          algorithm: report.algorithm,
          signature_enc: s.signature ? pii.seal('document_signatures', 'signature_enc', signatureId, s.signature.toString('base64')) : null,
          report_enc: pii.seal('document_signatures', 'report_enc', signatureId, JSON.stringify({ ...report, signedBy: signedBy.name })),
        })
        .execute();
      await trx.updateTable('documents').set({ status: 'signed', signed_at: signedAt }).where('id', '=', row.id).where('status', '=', 'issued').execute();
      const command: DocumentSigned = {
        signatureId,
        documentId: row.id,
        ...(row.application_id ? { applicationId: row.application_id } : {}),
        userRef: userId,
        signedBy,
        method: s.method,
        documentSha256: row.sha256,
        ...(s.signature ? { signatureBase64: s.signature.toString('base64') } : {}),
        report,
        signedAt: signedAt.toISOString(),
      };
      await enqueueMessage(trx, signatureCommandTopics.sign, command, { id: signatureId });
      await recordAudit(trx, { ...audit, action: 'document.sign', targetType: 'document', targetId: row.id, details: { method: s.method, algorithm: report.algorithm, signatureId } });
    });
    this.deps.nudge();
    return { signatureId, documentId: row.id, status: 'signed' as const, report };
  }

  /** The document, if the caller may sign it, and who the signer must be (the applicant, or the contract's consumer). */
  private async signable(userId: string, documentId: string): Promise<{ row: Selectable<DocumentsTable>; expected: Applicant }> {
    const row = await findDocument(this.deps.database, userId, documentId);
    const db = this.deps.database.db;
    if (!row.application_id) {
      // An agreement to a contract in force: signed by whoever acts for the consumer with the "sign" right, as the consumer.
      await requireRight(db, userId, row.consumer_ref!, 'sign', 'document_not_found');
      const c = await db.selectFrom('consumers').selectAll().where('consumer_ref', '=', row.consumer_ref!).executeTakeFirst();
      if (!c) throw conflict('document_not_signable', 'The consumer’s details have not reached the cabinet yet; try again shortly');
      const { pii } = this.deps;
      const open = (column: string, value: string | null) => pii.open('consumers', column, row.consumer_ref!, value) ?? undefined;
      const [inn, ogrn, snils] = [open('inn_enc', c.inn_enc), open('ogrn_enc', c.ogrn_enc), open('snils_enc', c.snils_enc)];
      return { row, expected: { kind: c.kind, name: open('name_enc', c.name_enc) ?? '', ...(inn ? { inn } : {}), ...(ogrn ? { ogrn } : {}), ...(snils ? { snils } : {}) } };
    }
    const application = await this.deps.applications.find(userId, row.application_id);
    // The applicant signs; anyone else acting for the consumer needs the "sign" right.
    if (application.user_id !== userId && application.consumer_ref) await requireRight(db, userId, application.consumer_ref, 'sign', 'document_not_found');
    if (!['contract_issued', 'signed'].includes(application.status)) throw conflict('document_not_signable', `The application is ${application.status}`);
    return { row, expected: this.deps.applications.applicantOf(application) };
  }

  list(userId: string, query: { status?: 'issued' | 'signed'; limit: number; offset: number }) {
    return listDocuments(this.deps.database, this.deps.pii, userId, query);
  }

  private bytesOf(row: Selectable<DocumentsTable>): Buffer {
    const bytes = Buffer.from(this.deps.pii.open('documents', 'pdf_enc', row.id, row.pdf_enc), 'base64');
    // The copy must be what the supplier issued: a signature over anything else is worthless.
    if (sha256Hex(bytes) !== row.sha256) throw new AppError('document_corrupted', 500, 'The stored document does not match its digest');
    return bytes;
  }

  private async contactOf(userId: string): Promise<Contact> {
    const user = await describeConsumerUser(this.deps.database.db, this.deps.pii, userId);
    if (user?.email) return { kind: 'email', value: user.email };
    if (user?.phone) return { kind: 'phone', value: user.phone };
    throw unprocessable('no_contact', 'Your account has no e-mail or phone to send a code to');
  }
}
