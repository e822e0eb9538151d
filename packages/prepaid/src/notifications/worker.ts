import type { Database, Logger } from '@app/kernel';
import { collectNotices } from './collect.js';
import { deliverNotices } from './deliver.js';
import { smsRuGateway, smtpGateway, type Gateway } from './gateways.js';
import type { Channel, NotificationsDb } from './tables.js';

export interface NotificationSettings {
  NOTIFY_SMTP_URL?: string;
  NOTIFY_EMAIL_FROM?: string;
  NOTIFY_SMS_URL?: string;
  NOTIFY_SMS_API_ID?: string;
  NOTIFY_SMS_FROM?: string;
  NOTIFY_POLL_MS?: number;
}

export function gatewaysFrom(settings: NotificationSettings): Partial<Record<Channel, Gateway>> {
  return {
    ...(settings.NOTIFY_SMTP_URL ? { email: smtpGateway({ url: settings.NOTIFY_SMTP_URL, from: settings.NOTIFY_EMAIL_FROM ?? 'noreply@prepaid.local' }) } : {}),
    ...(settings.NOTIFY_SMS_URL && settings.NOTIFY_SMS_API_ID ? { sms: smsRuGateway({ url: settings.NOTIFY_SMS_URL, apiId: settings.NOTIFY_SMS_API_ID, from: settings.NOTIFY_SMS_FROM }) } : {}),
  };
}

/** The notifications loop of an instance: read new operations into notices, send what is due. */
export function startNotificationWorker(deps: { database: Database<NotificationsDb>; logger: Logger; gateways: Partial<Record<Channel, Gateway>>; pollMs?: number }) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        while (!stopped && (await collectNotices(deps.database.db)) > 0);
        if (!stopped) await deliverNotices(deps.database.db, deps.gateways);
      } catch (error) {
        deps.logger.error({ err: error }, 'notification worker');
      }
      if (!stopped) timer = setTimeout(tick, deps.pollMs ?? 2000);
    })();
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
