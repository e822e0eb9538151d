import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/**
 * THE registry of the cabinet's screens (after login): address, the catalogue key of its title (and
 * menu label), the menu group it sits in (none: reached by links only), and the screen itself, loaded
 * lazily so the first page stays small. Add one line per screen; the router matches in this order
 * (`/contracts/:id` style parameters arrive as `params`).
 */
export interface ScreenProps {
  params: Record<string, string>;
}

export type NavGroup = 'overview' | 'metering' | 'requests' | 'money';

export interface Screen {
  path: string;
  title: string;
  nav?: NavGroup;
  component: LazyExoticComponent<ComponentType<ScreenProps>>;
}

/** `screen(() => import('./home/HomeScreen.js').then((m) => m.HomeScreen))`: a named export, loaded on first visit. */
const screen = (load: () => Promise<ComponentType<ScreenProps>>) => lazy(async () => ({ default: await load() }));

export const navGroups: NavGroup[] = ['overview', 'metering', 'requests', 'money'];

export const screens: Screen[] = [
  // Overview, contracts and metering (part A).
  { path: '/', title: 'nav.home', nav: 'overview', component: screen(() => import('./home/HomeScreen.js').then((m) => m.HomeScreen)) },
  { path: '/contracts', title: 'nav.contracts', nav: 'overview', component: screen(() => import('./contracts/ContractsScreen.js').then((m) => m.ContractsScreen)) },
  { path: '/contracts/link', title: 'links.title', component: screen(() => import('./contracts/LinkContractScreen.js').then((m) => m.LinkContractScreen)) },
  { path: '/contracts/:contractId', title: 'nav.contracts', component: screen(() => import('./contracts/ContractScreen.js').then((m) => m.ContractScreen)) },
  { path: '/points/:pointId', title: 'nav.meters', component: screen(() => import('./contracts/PointScreen.js').then((m) => m.PointScreen)) },
  { path: '/meters', title: 'nav.meters', nav: 'metering', component: screen(() => import('./contracts/MetersScreen.js').then((m) => m.MetersScreen)) },
  { path: '/meters/:meterId', title: 'nav.meters', component: screen(() => import('./contracts/MeterScreen.js').then((m) => m.MeterScreen)) },
  { path: '/readings', title: 'nav.readings', nav: 'metering', component: screen(() => import('./readings/ReadingsScreen.js').then((m) => m.ReadingsScreen)) },
  { path: '/readings/upload', title: 'nav.upload', nav: 'metering', component: screen(() => import('./uploads/UploadScreen.js').then((m) => m.UploadScreen)) },
  { path: '/consumption', title: 'nav.consumption', nav: 'metering', component: screen(() => import('./consumption/ConsumptionScreen.js').then((m) => m.ConsumptionScreen)) },
  { path: '/readings/export', title: 'hourlyExport.title', nav: 'metering', component: screen(() => import('./readings/HourlyExportScreen.js').then((m) => m.HourlyExportScreen)) },
  { path: '/insights', title: 'insights.title', nav: 'metering', component: screen(() => import('./insights/InsightsScreen.js').then((m) => m.InsightsScreen)) },
  { path: '/profile', title: 'nav.profile', component: screen(() => import('./shell/ProfileScreen.js').then((m) => m.ProfileScreen)) },
  { path: '/security', title: 'security.title', nav: 'overview', component: screen(() => import('./security/SecurityScreen.js').then((m) => m.SecurityScreen)) },
  { path: '/invitations/accept', title: 'security.accept.title', component: screen(() => import('./security/AcceptInvitationScreen.js').then((m) => m.AcceptInvitationScreen)) },

  // Requests, applications, documents and money (part B): add a line per screen below. The home page
  // links to /requests/:id and /applications/:id (documents to sign sit in their application).
  { path: '/requests', title: 'nav.requests', nav: 'requests', component: screen(() => import('./requests/RequestsScreen.js').then((m) => m.RequestsScreen)) },
  { path: '/requests/new', title: 'requests.newTitle', component: screen(() => import('./requests/NewRequestScreen.js').then((m) => m.NewRequestScreen)) },
  { path: '/requests/:requestId', title: 'nav.requests', component: screen(() => import('./requests/RequestScreen.js').then((m) => m.RequestScreen)) },
  { path: '/applications', title: 'nav.applications', nav: 'requests', component: screen(() => import('./applications/ApplicationsScreen.js').then((m) => m.ApplicationsScreen)) },
  { path: '/applications/new', title: 'applications.newTitle', component: screen(() => import('./applications/NewApplicationScreen.js').then((m) => m.NewApplicationScreen)) },
  { path: '/applications/:applicationId', title: 'nav.applications', component: screen(() => import('./applications/ApplicationScreen.js').then((m) => m.ApplicationScreen)) },
  { path: '/documents', title: 'nav.documents', nav: 'requests', component: screen(() => import('./documents/DocumentsScreen.js').then((m) => m.DocumentsScreen)) },
  { path: '/documents/:documentId', title: 'nav.documents', component: screen(() => import('./documents/DocumentScreen.js').then((m) => m.DocumentScreen)) },
  { path: '/money', title: 'nav.money', nav: 'money', component: screen(() => import('./money/MoneyScreen.js').then((m) => m.MoneyScreen)) },
  { path: '/money/invoices', title: 'nav.invoices', nav: 'money', component: screen(() => import('./money/InvoicesScreen.js').then((m) => m.InvoicesScreen)) },
  { path: '/money/payments', title: 'nav.payments', nav: 'money', component: screen(() => import('./money/PaymentsScreen.js').then((m) => m.PaymentsScreen)) },
  { path: '/money/payments/:orderId', title: 'money.orderTitle', component: screen(() => import('./money/PaymentOrderScreen.js').then((m) => m.PaymentOrderScreen)) },
];
