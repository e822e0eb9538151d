import type { ComponentType } from 'react';
import type { Role } from './access.js';
import { ApplicationScreen } from './applications/ApplicationScreen.js';
import { ApplicationsScreen } from './applications/ApplicationsScreen.js';
import { DeadCommandsScreen } from './billing/DeadCommandsScreen.js';
import { LinkRequestScreen } from './link-requests/LinkRequestScreen.js';
import { LinkRequestsScreen } from './link-requests/LinkRequestsScreen.js';
import { PaymentsScreen } from './payments/PaymentsScreen.js';
import { RequestScreen } from './requests/RequestScreen.js';
import { RequestsScreen } from './requests/RequestsScreen.js';
import { SignaturesScreen } from './signatures/SignaturesScreen.js';
import { SupportScreen } from './support/SupportScreen.js';
import { UsersScreen } from './users/UsersScreen.js';

/**
 * Every screen of the back office: its address, the roles that may open it (as cabinet-back's routes
 * require), and its menu group. A screen the role may not open shows "no access".
 */
export interface Screen {
  path: string;
  title: string;
  roles: Role[];
  component: ComponentType<{ params: Record<string, string> }>;
  menu?: (typeof menuGroups)[number];
}

export const menuGroups = ['queues', 'documents', 'billing', 'support', 'admin'] as const;

export const screens: Screen[] = [
  { path: '/applications', title: 'nav.applications', roles: ['employee'], component: ApplicationsScreen, menu: 'queues' },
  { path: '/applications/:id', title: 'application.title', roles: ['employee'], component: ApplicationScreen },
  { path: '/requests', title: 'nav.requests', roles: ['employee'], component: RequestsScreen, menu: 'queues' },
  { path: '/requests/:id', title: 'request.title', roles: ['employee'], component: RequestScreen },
  { path: '/link-requests', title: 'nav.linkRequests', roles: ['employee'], component: LinkRequestsScreen, menu: 'queues' },
  { path: '/link-requests/:id', title: 'linkRequest.title', roles: ['employee'], component: LinkRequestScreen },
  { path: '/signatures', title: 'nav.signatures', roles: ['employee'], component: SignaturesScreen, menu: 'documents' },
  { path: '/payments', title: 'nav.payments', roles: ['employee'], component: PaymentsScreen, menu: 'billing' },
  { path: '/dead-commands', title: 'nav.deadCommands', roles: ['supervisor'], component: DeadCommandsScreen, menu: 'billing' },
  { path: '/support', title: 'nav.support', roles: ['support'], component: SupportScreen, menu: 'support' },
  { path: '/users', title: 'nav.users', roles: ['admin'], component: UsersScreen, menu: 'admin' },
];

/** Where a role lands after login. */
export const home = (can: (...roles: Role[]) => boolean) => (can('employee') ? '/applications' : can('support') ? '/support' : '/users');
