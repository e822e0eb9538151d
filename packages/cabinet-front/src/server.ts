import { authSettingsFrom, createHttpApp, registerAuth, type CommonConfig, type Database, type HttpApp, type KeyRing, type PasswordHashing, type ServiceRuntime } from '@app/kernel';
import { loginKeyOf } from './auth/contact.js';
import { describeConsumerUser } from './auth/consumer-users.repo.js';
import type { OtpPolicy } from './auth/otp.js';
import { defaultOtpSender, type OtpSender } from './auth/otp-sender.js';
import { registerRegistrationRoutes } from './auth/registration.routes.js';
import { Registration } from './auth/registration.service.js';
import { resolveKeyRing, type KeySettings } from './crypto/keys.js';
import { Pii } from './crypto/pii.js';
import { registerDocumentsArea, type DocumentsAreaOptions } from './documents-area.js';
import { registerDataRoutes } from './read-model/data.routes.js';
import { registerSummaryRoute } from './read-model/summary.routes.js';
import { registerLinkRoutes } from './links/link.routes.js';
import { Links } from './links/link.service.js';
import { registerActionJournal, registerHistoryRoute } from './members/history.js';
import { registerInvitationRoutes } from './members/invitations.js';
import { registerMemberRoutes } from './members/members.routes.js';
import { notifierFrom, type Notifier } from './notifications/notifier.js';
import { registerSupportRoutes } from './support/support.js';
import { registerMoneyRoutes } from './money/money.routes.js';
import { todayIn } from './paging.js';
import { registerReadingRoutes } from './readings/readings.routes.js';
import { HourlyExport } from './readings/hourly-export.js';
import { registerHourlyExportRoutes } from './readings/hourly-export.routes.js';
import { registerInsights, type InsightsOptions } from './insights/insights.routes.js';
import { Readings } from './readings/readings.service.js';
import { registerStatusRoutes } from './status.routes.js';
import { registerSelfService, type SelfServiceOptions } from './self-service.js';
import type { CabinetFrontDb } from './tables.js';
import { startCabinetFrontWorkers, type CabinetFrontWorkerOptions } from './workers.js';
import { registerCabinetWeb, type CabinetWebOptions } from './web/cabinet-web.js';
import { registerCabinetFrontMetrics } from './metrics.js';

export interface CabinetFrontOptions {
  hashing?: PasswordHashing;
  /** Field-encryption keys; default from the config's (or the environment's) FIELD_KEYS, FIELD_KEY_CURRENT, BLIND_INDEX_KEY. */
  keys?: KeyRing;
  /** Delivers one-time codes; default logs them (development) or refuses (production) until SMTP/SMS exist. */
  otpSender?: OtpSender;
  otpPolicy?: Partial<OtpPolicy>;
  /** The supplier's calendar day (tests pin it). */
  today?: () => string;
  /** Called after a transaction wrote commands to the outbox: pass the outbox relay's nudge. */
  nudge?: () => void;
  /**
   * false: do not consume the back's events in this app (run startCabinetFrontWorkers yourself).
   * Default true: the app subscribes on creation and unsubscribes on close.
   */
  consumeEvents?: boolean;
  workers?: CabinetFrontWorkerOptions;
  /** Card payments (acquiring, public URL, reconciliation) and reading uploads: see self-service.ts. */
  selfService?: SelfServiceOptions;
  /** Applications, requests, signatures, e-mail notifications (documents-area.ts). */
  documents?: DocumentsAreaOptions;
  /** Consumption insight and its e-mail alerts (insights/): the notifier (default SMTP_URL), whether the daily job is scheduled. */
  insights?: InsightsOptions;
  /** Representatives' invitations: the cabinet's public address for the e-mailed link (default CABINET_PUBLIC_URL or http://localhost:3100) and the notifier (default documents.notifier, else SMTP_URL). */
  invitations?: { publicUrl?: () => string; notifier?: Notifier };
  /** The consumer cabinet SPA served at `/` (web/cabinet-web.ts); false: the API only. */
  web?: CabinetWebOptions | false;
}

export type CabinetFrontConfig = CommonConfig & KeySettings & { SUPPLIER_TIME_ZONE?: string };

/** The consumers' cabinet API (DMZ): registration, links, the read model of billing data, readings, money. */
export async function createCabinetFrontApp(runtime: ServiceRuntime, config: CabinetFrontConfig, options: CabinetFrontOptions = {}): Promise<HttpApp> {
  const database = runtime.database as Database<CabinetFrontDb>;
  const keys = options.keys ?? resolveKeyRing(config);
  const pii = new Pii(keys);
  const nudge = options.nudge ?? (() => {});
  const timeZone = config.SUPPLIER_TIME_ZONE ?? process.env.SUPPLIER_TIME_ZONE ?? 'Europe/Moscow';
  const app = await createHttpApp({
    service: 'cabinet-front',
    title: 'Energy consumer cabinet API',
    description: 'Self-service cabinet of energy consumers: contracts, metering, readings, requests, invoices and payments.',
    logger: runtime.logger,
    // Not the bus: with the broker or the back away the front still serves what it has and queues
    // commands in its outbox, so it must stay in the load balancer.
    readiness: { database: () => runtime.database.ping(), cache: () => runtime.cache.ping() },
    trustProxy: config.NODE_ENV === 'production',
  });
  const auth = await registerAuth(app, {
    database: runtime.database,
    cache: runtime.cache,
    settings: {
      ...authSettingsFrom(config),
      cookiePrefix: 'cabinet_',
      // Lax: the consumer comes back from the acquiring bank's payment page by a top-level redirect and
      // must still be logged in; state changes are covered by the CSRF token either way.
      sameSite: 'lax',
      hashing: options.hashing,
      // Users are keyed by a blind index of their e-mail/phone; people see the decrypted address.
      loginKey: (login) => loginKeyOf(pii, login),
      describeUser: async (user) => {
        const view = await describeConsumerUser(database.db, pii, user.id);
        return view ? { login: view.login, displayName: view.displayName } : { login: user.loginKey, displayName: user.displayName };
      },
      // Consumers may turn on two-factor login (TOTP); the secrets are sealed with the field keys.
      twoFactor: { mode: 'optional', issuer: 'Личный кабинет потребителя', keys },
    },
  });
  registerStatusRoutes(app, runtime);
  const registration = new Registration({ database, pii, sender: options.otpSender ?? defaultOtpSender(config.NODE_ENV, runtime.logger.child({ component: 'otp' })), cache: runtime.cache, hashing: options.hashing, policy: options.otpPolicy });
  registerRegistrationRoutes(app, { registration, database, pii });
  registerMemberRoutes(app, { database, pii });
  registerActionJournal(app, { database, pii, logger: runtime.logger.child({ component: 'history' }) });
  registerHistoryRoute(app, { database, pii });
  const invitationNotifier = options.invitations?.notifier ?? options.documents?.notifier ?? notifierFrom({ SMTP_URL: process.env.SMTP_URL, MAIL_FROM: process.env.MAIL_FROM }, runtime.logger.child({ component: 'notifier' }));
  const publicUrl = options.invitations?.publicUrl ?? (() => process.env.CABINET_PUBLIC_URL ?? 'http://localhost:3100');
  registerInvitationRoutes(app, { database, pii, options: { notifier: invitationNotifier, publicUrl, logger: runtime.logger.child({ component: 'invitations' }) } });
  registerSupportRoutes(app, { database, auth });
  registerLinkRoutes(app, { links: new Links({ database, pii, cache: runtime.cache, nudge }) });
  registerDataRoutes(app, { database, pii });
  registerReadingRoutes(app, { readings: new Readings({ database, today: options.today ?? (() => todayIn(timeZone)), nudge }) });
  registerMoneyRoutes(app, { database, pii });
  registerHourlyExportRoutes(app, { exports: new HourlyExport({ database, pii }) });
  registerInsights(app, runtime, { pii, today: options.today ?? (() => todayIn(timeZone)), options: options.insights });
  registerSummaryRoute(app, { database, pii });
  registerDocumentsArea(app, runtime, config, { pii, nudge, otpSender: options.otpSender, otpPolicy: options.otpPolicy, options: options.documents });
  registerSelfService(app, { runtime, pii, nudge, today: options.today ?? (() => todayIn(timeZone)), options: options.selfService });
  if (options.web !== false) registerCabinetWeb(app, options.web);

  if (options.consumeEvents !== false) {
    const stop = await startCabinetFrontWorkers(runtime, { ...options.workers, keys });
    app.addHook('onClose', async () => stop());
  }
  registerCabinetFrontMetrics(app.metrics, runtime.database);
  return app;
}
