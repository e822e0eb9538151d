import type { ComponentType } from 'react';
import type { Role } from './access.js';
import { ClaimsScreen } from './claims/ClaimsScreen.js';
import { ClaimScreen } from './claims/ClaimScreen.js';
import { FailedOperationsScreen } from './claims/FailedOperationsScreen.js';
import { ClientCardScreen } from './clients/ClientCardScreen.js';
import { ClientSearchScreen } from './clients/ClientSearchScreen.js';
import { MerchantsScreen } from './directories/MerchantsScreen.js';
import { ProductsScreen } from './directories/ProductsScreen.js';
import { StopListScreen } from './directories/StopListScreen.js';
import { TerminalsScreen } from './directories/TerminalsScreen.js';
import { AuditScreen } from './journal/AuditScreen.js';
import { OperationsScreen } from './journal/OperationsScreen.js';
import { RegistriesScreen } from './registries/RegistriesScreen.js';
import { RegistryScreen } from './registries/RegistryScreen.js';
import { ReportsScreen } from './reports/ReportsScreen.js';
import { JobsScreen } from './settlement/JobsScreen.js';
import { SettlementScreen } from './settlement/SettlementScreen.js';
import { UsersScreen } from './users/UsersScreen.js';

/**
 * Every screen of the workplace: its address, the roles that may open it (as the API's routes
 * require), and whether it is in the menu. A screen a role may not open shows "no access".
 */
export interface Screen {
  path: string;
  title: string;
  roles: Role[];
  component: ComponentType<{ params: Record<string, string> }>;
  menu?: 'clients' | 'money' | 'directories' | 'admin';
}

export const screens: Screen[] = [
  { path: '/clients', title: 'nav.clients', roles: ['operator'], component: ClientSearchScreen, menu: 'clients' },
  { path: '/clients/:id', title: 'client.title', roles: ['operator'], component: ClientCardScreen },
  { path: '/journal/mine', title: 'nav.audit', roles: ['operator', 'admin'], component: AuditScreen, menu: 'clients' },
  { path: '/claims', title: 'nav.claims', roles: ['operator'], component: ClaimsScreen, menu: 'clients' },
  { path: '/claims/:id', title: 'claims.title', roles: ['operator'], component: ClaimScreen },
  { path: '/failed-operations', title: 'nav.failed', roles: ['operator'], component: FailedOperationsScreen, menu: 'clients' },
  { path: '/registries', title: 'nav.registries', roles: ['operator'], component: RegistriesScreen, menu: 'money' },
  { path: '/registries/:id', title: 'registries.title', roles: ['operator'], component: RegistryScreen },
  { path: '/operations', title: 'nav.operations', roles: ['settlement'], component: OperationsScreen, menu: 'money' },
  { path: '/settlement', title: 'nav.settlement', roles: ['settlement'], component: SettlementScreen, menu: 'money' },
  { path: '/jobs', title: 'nav.jobs', roles: ['settlement'], component: JobsScreen, menu: 'money' },
  { path: '/reports', title: 'nav.reports', roles: ['operator'], component: ReportsScreen, menu: 'money' },
  { path: '/directories/products', title: 'nav.products', roles: ['operator'], component: ProductsScreen, menu: 'directories' },
  { path: '/directories/merchants', title: 'nav.merchants', roles: ['operator'], component: MerchantsScreen, menu: 'directories' },
  { path: '/directories/terminals', title: 'nav.terminals', roles: ['operator'], component: TerminalsScreen, menu: 'directories' },
  { path: '/directories/stop-list', title: 'nav.stopList', roles: ['operator'], component: StopListScreen, menu: 'directories' },
  { path: '/users', title: 'nav.users', roles: ['manager', 'admin'], component: UsersScreen, menu: 'admin' },
];

/** Where a role lands after login. */
export const home = (can: (...roles: Role[]) => boolean) => (can('operator') ? '/clients' : can('admin') ? '/users' : '/journal/mine');
