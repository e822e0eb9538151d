import { authSettingsFrom, createHttpApp, registerAuth, registerUserAdmin, standardReadiness, twoFactorKeyRing, type CommonConfig, type HttpApp, type KeyRing, type PasswordHashing, type ServiceRuntime } from '@app/kernel';
import type { BillingAdapter } from './billing/billing-adapter.js';
import { registerBackOfficeRoutes } from './back-office/back-office.routes.js';
import { supplierToday, type MeteringImportOptions } from './metering-import/metering-import.js';
import { registerMeteringImportRoutes } from './metering-import/metering-import.routes.js';
import { registerDeadCommandRoutes } from './commands/dead-commands.routes.js';
import { registerLinkRequestRoutes } from './link-requests/link-requests.routes.js';
import { backOfficeRoleHierarchy, backOfficeRoles } from './roles.js';
import { registerSupportRoutes, type SupportOptions } from './support/support.routes.js';
import { pingWithin } from './status.js';
import { registerBackOfficeWeb } from './web/back-office-web.js';
import { backContextWithoutBilling, type CabinetBackWorkerOptions } from './workers.js';

export interface CabinetBackAppOptions {
  hashing?: PasswordHashing;
  /** The billing behind this back office; without it, decisions that need billing answer 503. */
  billing?: BillingAdapter;
  /** The outbox relay's nudge, so decisions are published at once. */
  nudge?: () => void;
  snapshot?: Pick<CabinetBackWorkerOptions, 'historyMonths' | 'attachPdfs' | 'now'>;
  /** "Act as consumer" (support/): the cabinet's address for the one-time link; default CABINET_FRONT_PUBLIC_URL or http://localhost:3100. */
  support?: Partial<SupportOptions>;
  /** 80020 imports (metering-import/): the senders trusted with any area (METERING_IMPORT_TRUSTED_SENDERS). */
  meteringImport?: MeteringImportOptions;
  /** Encrypts staff TOTP secrets; default from TOTP_KEY (a development key outside production). */
  twoFactorKeys?: KeyRing;
}

/** The back office (LAN): supplier staff log in here; request handling and billing integration plug in. */
export async function createCabinetBackApp(runtime: ServiceRuntime, config: CommonConfig, options: CabinetBackAppOptions = {}): Promise<HttpApp> {
  const billing = options.billing;
  const app = await createHttpApp({
    service: 'cabinet-back',
    title: 'Cabinet back office API',
    description: 'Supplier staff: requests, contract applications, billing integration.',
    logger: runtime.logger,
    // Billing is not part of readiness: the back keeps taking commands (they wait for billing) when it is away.
    readiness: standardReadiness(runtime),
    roleHierarchy: backOfficeRoleHierarchy,
    trustProxy: config.NODE_ENV === 'production',
  });
  // Two-factor login is required of staff: without an authenticator a session can only enrol one.
  const twoFactor = { mode: 'required' as const, issuer: 'Кабинет — бэк-офис', keys: options.twoFactorKeys ?? twoFactorKeyRing({ NODE_ENV: config.NODE_ENV, TOTP_KEY: process.env.TOTP_KEY }) };
  await registerAuth(app, { database: runtime.database, cache: runtime.cache, settings: { ...authSettingsFrom(config), cookiePrefix: 'backoffice_', hashing: options.hashing, twoFactor } });
  registerUserAdmin(app, { database: runtime.database, roles: backOfficeRoles, adminRoles: ['admin'], prefix: '/api/staff/users', hashing: options.hashing });
  const ctx = { ...backContextWithoutBilling(runtime, { ...options.snapshot, nudge: options.nudge }), adapter: billing };
  registerLinkRequestRoutes(app, { ctx });
  registerDeadCommandRoutes(app, { database: ctx.database });
  registerBackOfficeRoutes(app, { ctx });
  registerMeteringImportRoutes(app, { adapter: billing, today: supplierToday, options: options.meteringImport });
  const frontUrl = process.env.CABINET_FRONT_PUBLIC_URL ?? 'http://localhost:3100';
  registerSupportRoutes(app, { database: ctx.database, nudge: options.nudge, options: { frontUrl: () => frontUrl, ...options.support } });
  registerBackOfficeWeb(app, { database: ctx.database });
  app.get(
    '/api/back-office/billing/status',
    { config: { access: { roles: ['employee'] } }, schema: { tags: ['billing'], summary: 'Whether billing answers right now' } },
    async () => ({ billing: billing ? await pingWithin(billing, 2_000) : ('offline' as const), adapter: billing?.name ?? null }),
  );
  return app;
}
