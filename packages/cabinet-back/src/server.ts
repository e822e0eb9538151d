import { authSettingsFrom, createHttpApp, registerAuth, registerUserAdmin, standardReadiness, type CommonConfig, type HttpApp, type PasswordHashing, type ServiceRuntime } from '@app/kernel';
import { backOfficeRoleHierarchy, backOfficeRoles } from './roles.js';

/** The back office (LAN): supplier staff log in here; request handling and billing integration plug in. */
export async function createCabinetBackApp(runtime: ServiceRuntime, config: CommonConfig, options: { hashing?: PasswordHashing } = {}): Promise<HttpApp> {
  const app = await createHttpApp({
    service: 'cabinet-back',
    title: 'Cabinet back office API',
    description: 'Supplier staff: requests, contract applications, billing integration.',
    logger: runtime.logger,
    readiness: standardReadiness(runtime),
    roleHierarchy: backOfficeRoleHierarchy,
    trustProxy: config.NODE_ENV === 'production',
  });
  await registerAuth(app, { database: runtime.database, cache: runtime.cache, settings: { ...authSettingsFrom(config), cookiePrefix: 'backoffice_', hashing: options.hashing } });
  registerUserAdmin(app, { database: runtime.database, roles: backOfficeRoles, adminRoles: ['admin'], prefix: '/api/staff/users', hashing: options.hashing });
  return app;
}
