import { authSettingsFrom, createHttpApp, registerAuth, registerUserAdmin, standardReadiness, type CommonConfig, type Database, type HttpApp, type PasswordHashing, type ServiceRuntime } from '@app/kernel';
import { Counter, Histogram } from 'prom-client';
import { registerSettlementAndJobRoutes } from './jobs/jobs.routes.js';
import type { PrepaidJobsOptions } from './jobs/prepaid-jobs.js';
import { registerLedgerHistoryRoutes } from './ledger/history.routes.js';
import { Ledger } from './ledger/ledger.service.js';
import { registerPartnerAuth } from './partners/partner-auth.js';
import { partnerSecurityScheme, registerPartnerRoutes } from './partners/partner.routes.js';
import { registerPartnerAdminRoutes } from './partners/partners.staff.routes.js';
import { registerPartnerRegistryRoutes } from './partners/partner-registries.routes.js';
import { registerClaimRoutes } from './claims/claims.routes.js';
import { ClaimsService } from './claims/claims.service.js';
import { registerOfflinePosRoutes, registerOfflineStaffRoutes } from './offline/offline.routes.js';
import { snapshotSigner } from './offline/signing.js';
import { SnapshotService } from './offline/snapshot.service.js';
import { OfflineUploads } from './offline/upload.service.js';
import { registerPosRoutes } from './pos/pos.routes.js';
import { registerRegistryRoutes } from './registries/registry.routes.js';
import { RegistryService } from './registries/registry.service.js';
import { PosService } from './pos/pos.service.js';
import { prepaidRoleHierarchy, prepaidRoles } from './roles.js';
import { registerStaffRoutes } from './staff/staff.routes.js';
import type { OfflineDb, PrepaidDb } from './tables.js';
import { Terminals } from './terminals/terminals.service.js';
import { registerWorkplace, type WorkplaceOptions } from './web/workplace.js';
import { ldapLoginFromConfig } from './web/ldap/ldap-login.js';
import { registerRegistryMetrics } from './registries/registry.metrics.js';

/** The prepaid HTTP app: staff auth and user admin, the POS API; the workplace areas plug in here. */
export async function createPrepaidApp(runtime: ServiceRuntime, config: CommonConfig, options: { hashing?: PasswordHashing; jobs?: PrepaidJobsOptions; workplace?: WorkplaceOptions } = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'prepaid',
    title: 'Prepaid processing API',
    description: 'Closed-loop prepaid accounts: staff workplace, POS authorization, partner integration.',
    logger: runtime.logger,
    readiness: standardReadiness(runtime),
    roleHierarchy: prepaidRoleHierarchy,
    trustProxy: config.NODE_ENV === 'production',
    securitySchemes: partnerSecurityScheme,
  });
  await registerAuth(app, { database: runtime.database, cache: runtime.cache, settings: { ...authSettingsFrom(config), cookiePrefix: 'prepaid_', hashing: options.hashing, externalLogin: ldapLoginFromConfig(config) } });
  registerUserAdmin(app, { database: runtime.database, roles: prepaidRoles, adminRoles: ['admin', 'manager'], prefix: '/api/staff/users', hashing: options.hashing });
  const database = runtime.database as Database<PrepaidDb>;
  const ledger = new Ledger(database);
  const declines = new Counter({ name: 'pos_declines_total', help: 'POS purchases and holds declined, by decline code', labelNames: ['code'], registers: [app.metrics] });
  const paths = new Counter({ name: 'pos_purchase_path_total', help: 'POS purchases by path: one SQL statement, or the explaining step-by-step path', labelNames: ['path'], registers: [app.metrics] });
  const terminals = new Terminals(database, runtime.cache);
  const batches = new Histogram({ name: 'pos_purchase_batch_size', help: 'One-line purchases applied per statement (group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [app.metrics] });
  // Offline mode (docs/offline.md): the snapshot signing key from OFFLINE_SIGNING_KEY (a development key outside production).
  const offlineDb = runtime.database as Database<OfflineDb>;
  const snapshots = new SnapshotService(offlineDb, snapshotSigner((config as { OFFLINE_SIGNING_KEY?: string }).OFFLINE_SIGNING_KEY, config.NODE_ENV));
  const uploads = new OfflineUploads(offlineDb, ledger);
  await registerPosRoutes(app, {
    pos: new PosService(database, ledger, (path) => paths.inc({ path }), (size) => batches.observe(size), (config as { HOLD_TTL_SECONDS?: number }).HOLD_TTL_SECONDS),
    terminals,
    more: (pos) => registerOfflinePosRoutes(pos, { snapshots, uploads }),
    onDecline: (code) => declines.inc({ code }),
  });
  registerOfflineStaffRoutes(app, { database: offlineDb, snapshots });
  registerClaimRoutes(app, { database: offlineDb, claims: new ClaimsService(offlineDb, ledger) });
  registerStaffRoutes(app, { database, ledger, terminals });
  registerLedgerHistoryRoutes(app, { database, timeZone: options.jobs?.timeZone });
  registerPartnerAuth(app, { database, cache: runtime.cache });
  registerPartnerRoutes(app, { database, ledger });
  registerPartnerAdminRoutes(app, { database });
  const registries = new RegistryService(database);
  await registerRegistryRoutes(app, { database, registries });
  await registerPartnerRegistryRoutes(app, { database, registries });
  registerSettlementAndJobRoutes(app, { database: runtime.database, logger: runtime.logger, options: { snapshots, ...options.jobs } });
  // The staff workplace (packages/web) and its read API, last: its `/*` page route catches what is left.
  registerWorkplace(app, { database }, options.workplace);
  registerRegistryMetrics(app.metrics, runtime.database);
  return app;
}
