import { registerSpa, type Database, type HttpApp } from '@app/kernel';
import { registerReportRoutes } from '../reports/reports.routes.js';
import type { ReportsDb } from '../reports/tables.js';
import { registerNotificationRoutes } from '../notifications/notifications.routes.js';
import type { NotificationsDb } from '../notifications/tables.js';
import type { PrepaidDb } from '../tables.js';
import { registerCardRoutes } from './read/cards.routes.js';
import { registerJournalRoutes } from './read/journal.routes.js';

export interface WorkplaceOptions {
  /** Folder of the built SPA (default packages/web/dist/workplace). */
  webRoot?: string;
}

/** The staff workplace on the prepaid app: its read API and the SPA itself at `/`. */
export function registerWorkplace(app: HttpApp, deps: { database: Database<PrepaidDb> }, options: WorkplaceOptions = {}) {
  registerCardRoutes(app, deps);
  registerJournalRoutes(app, deps);
  registerNotificationRoutes(app, { database: deps.database as unknown as Database<NotificationsDb> });
  registerReportRoutes(app, { database: deps.database as unknown as Database<ReportsDb> });
  registerSpa(app, { name: 'workplace', root: options.webRoot });
}
