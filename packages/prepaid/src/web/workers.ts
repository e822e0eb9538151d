import type { Database, Logger } from '@app/kernel';
import type { NotificationsDb } from '../notifications/tables.js';
import { gatewaysFrom, startNotificationWorker, type NotificationSettings } from '../notifications/worker.js';
import { startReportWorker } from '../reports/queue.js';
import type { ReportsDb } from '../reports/tables.js';

/** The workplace's background work on every instance: the report queue and the notifications worker. */
export function startWorkplaceWorkers(runtime: { database: Database<unknown>; logger: Logger }, settings: NotificationSettings & { REPORTS_POLL_MS?: number }): Array<() => Promise<unknown>> {
  const reports = startReportWorker({ database: runtime.database as Database<ReportsDb>, logger: runtime.logger, pollMs: settings.REPORTS_POLL_MS });
  const gateways = gatewaysFrom(settings);
  const notifications = startNotificationWorker({ database: runtime.database as Database<NotificationsDb>, logger: runtime.logger, gateways, pollMs: settings.NOTIFY_POLL_MS });
  return [() => reports.stop(), () => notifications.stop()];
}
