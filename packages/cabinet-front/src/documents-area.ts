import {
  ApplicationMessagePosted,
  ApplicationStatusChanged,
  applicationEventTopics,
  DocumentIssued,
  RequestMessagePosted,
  RequestStatusChanged,
  requestEventTopics,
} from '@app/cabinet-contracts';
import type { CommonConfig, Database, HttpApp, ServiceRuntime } from '@app/kernel';
import type { Transaction } from 'kysely';
import type { TSchema } from 'typebox';
import { applyApplicationMessage, applyApplicationStatus, applyDocumentIssued } from './applications/apply.js';
import { registerApplicationRoutes } from './applications/applications.routes.js';
import { Applications } from './applications/applications.service.js';
import { registerAttachmentRoutes } from './attachments/attachments.routes.js';
import { Attachments } from './attachments/attachments.service.js';
import type { OtpPolicy } from './auth/otp.js';
import { defaultOtpSender, type OtpSender } from './auth/otp-sender.js';
import type { Pii } from './crypto/pii.js';
import { Links } from './links/link.service.js';
import { NotificationDispatcher, type DispatcherOptions } from './notifications/notifications.js';
import { notifierFrom, type Notifier } from './notifications/notifier.js';
import { applyRequestMessage, applyRequestStatus } from './requests/apply.js';
import { registerRequestRoutes } from './requests/requests.routes.js';
import { Requests } from './requests/requests.service.js';
import { registerSignatureRoutes } from './signatures/signatures.routes.js';
import { Signatures } from './signatures/signatures.service.js';
import type { RevocationPolicy } from './signatures/revocation.js';
import { crlsFrom, revocationPolicyFrom, trustedRootsFrom, type TrustSettings } from './signatures/trust.js';
import type { CabinetFrontDb } from './tables.js';
import './documents.tables.js';

export interface DocumentsAreaOptions {
  /** Sends the e-mails of every change; default SMTP when SMTP_URL is set, else the log. */
  notifier?: Notifier;
  /** DER certificates signatures must chain to; default SIGNATURE_TRUSTED_ROOTS / SIGNATURE_TRUSTED_ROOTS_PEM. */
  trustedRoots?: readonly Uint8Array[];
  /** CRLs (DER/PEM) of the issuers; default SIGNATURE_CRLS / SIGNATURE_CRLS_PEM, read at every verification. */
  crls?: readonly Uint8Array[] | (() => readonly Uint8Array[]);
  /** Default SIGNATURE_REVOCATION_POLICY, else `warn`. */
  revocationPolicy?: RevocationPolicy;
  notifications?: DispatcherOptions & { enabled?: boolean };
  /** Clock of signature verification (tests). */
  now?: () => Date;
}

type Settings = TrustSettings & { SMTP_URL?: string; MAIL_FROM?: string };

/**
 * Applications, requests, attachments, documents and signatures, and the e-mails about them: one call
 * from server.ts. Settings come from the config when it carries them, else from the environment
 * (SMTP_URL, MAIL_FROM, SIGNATURE_TRUSTED_ROOTS, SIGNATURE_TRUSTED_ROOTS_PEM).
 */
export function registerDocumentsArea(
  app: HttpApp,
  runtime: ServiceRuntime,
  config: CommonConfig & Settings,
  deps: { pii: Pii; nudge: () => void; otpSender?: OtpSender; otpPolicy?: Partial<OtpPolicy>; options?: DocumentsAreaOptions },
) {
  const database = runtime.database as Database<CabinetFrontDb>;
  const { pii, nudge } = deps;
  const options = deps.options ?? {};
  const setting = (name: keyof Settings) => config[name] ?? process.env[name];
  const attachments = new Attachments({ database, pii });
  const applications = new Applications({ database, pii, attachments, nudge });
  let roots: readonly Uint8Array[] | undefined = options.trustedRoots;
  const trustedRoots = () => (roots ??= trustedRootsFrom({ SIGNATURE_TRUSTED_ROOTS: setting('SIGNATURE_TRUSTED_ROOTS'), SIGNATURE_TRUSTED_ROOTS_PEM: setting('SIGNATURE_TRUSTED_ROOTS_PEM') }));
  const trust = (): TrustSettings => ({ SIGNATURE_CRLS: setting('SIGNATURE_CRLS'), SIGNATURE_CRLS_PEM: setting('SIGNATURE_CRLS_PEM'), SIGNATURE_REVOCATION_POLICY: setting('SIGNATURE_REVOCATION_POLICY') });
  const crls = typeof options.crls === 'function' ? options.crls : options.crls ? () => options.crls as readonly Uint8Array[] : () => crlsFrom(trust());
  // A wrong policy stops the start rather than the first signature.
  const revocationPolicy = options.revocationPolicy ?? revocationPolicyFrom(trust());
  const signatures = new Signatures({
    database,
    pii,
    applications,
    trustedRoots,
    crls,
    revocationPolicy,
    sender: deps.otpSender ?? defaultOtpSender(config.NODE_ENV, runtime.logger.child({ component: 'otp' })),
    otpPolicy: deps.otpPolicy,
    nudge,
    now: options.now,
  });
  const links = new Links({ database, pii, cache: runtime.cache, nudge });
  registerAttachmentRoutes(app, { attachments });
  registerApplicationRoutes(app, { applications });
  registerSignatureRoutes(app, { signatures });
  registerRequestRoutes(app, { requests: new Requests({ database, pii, attachments, links, nudge }) });

  if (options.notifications?.enabled !== false) {
    const notifier = options.notifier ?? notifierFrom({ SMTP_URL: setting('SMTP_URL'), MAIL_FROM: setting('MAIL_FROM') }, runtime.logger.child({ component: 'notifier' }));
    const dispatcher = new NotificationDispatcher({ database, pii, notifier, logger: runtime.logger.child({ component: 'notifications' }) }, options.notifications);
    dispatcher.start();
    app.addHook('onClose', async () => dispatcher.stop());
  }
}

type Trx = Transaction<CabinetFrontDb>;
/** The back office's events of this area, for the front's event consumer (read-model/event-consumer.ts). */
export const documentEventRoutes: Record<string, { schema: TSchema; apply: (trx: Trx, pii: Pii, payload: never) => Promise<unknown> }> = {
  [applicationEventTopics.statusChanged]: { schema: ApplicationStatusChanged, apply: (trx, pii, e: ApplicationStatusChanged) => applyApplicationStatus(trx, pii, e) },
  [applicationEventTopics.messagePosted]: { schema: ApplicationMessagePosted, apply: (trx, pii, e: ApplicationMessagePosted) => applyApplicationMessage(trx, pii, e) },
  [applicationEventTopics.documentIssued]: { schema: DocumentIssued, apply: (trx, pii, e: DocumentIssued) => applyDocumentIssued(trx, pii, e) },
  [requestEventTopics.statusChanged]: { schema: RequestStatusChanged, apply: (trx, _pii, e: RequestStatusChanged) => applyRequestStatus(trx, e) },
  [requestEventTopics.messagePosted]: { schema: RequestMessagePosted, apply: (trx, pii, e: RequestMessagePosted) => applyRequestMessage(trx, pii, e) },
};
