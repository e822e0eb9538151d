import { authSettingsFrom, createHttpApp, registerAuth, registerUserAdmin, standardReadiness, type CommonConfig, type HttpApp, type PasswordHashing, type ServiceRuntime } from '@app/kernel';
import { prepaidRoleHierarchy, prepaidRoles } from './roles.js';

/** The prepaid HTTP app: staff auth and user admin now; the ledger, POS and workplace areas plug in here. */
export async function createPrepaidApp(runtime: ServiceRuntime, config: CommonConfig, options: { hashing?: PasswordHashing } = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'prepaid',
    title: 'Prepaid processing API',
    description: 'Closed-loop prepaid accounts: staff workplace, POS authorization, partner integration.',
    logger: runtime.logger,
    readiness: standardReadiness(runtime),
    roleHierarchy: prepaidRoleHierarchy,
    trustProxy: config.NODE_ENV === 'production',
  });
  await registerAuth(app, { database: runtime.database, cache: runtime.cache, settings: { ...authSettingsFrom(config), cookiePrefix: 'prepaid_', hashing: options.hashing } });
  registerUserAdmin(app, { database: runtime.database, roles: prepaidRoles, adminRoles: ['admin', 'manager'], prefix: '/api/staff/users', hashing: options.hashing });
  return app;
}
