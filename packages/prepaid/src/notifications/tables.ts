import type { ColumnType, Generated } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/** Kysely types of the notification tables (migrations/0020_workplace.sql, 0021). */
type Default<T> = ColumnType<T, T | undefined, T>;
export type Channel = 'sms' | 'email';
export type NoticeKind = 'purchase' | 'low_balance';

export interface NotificationTables {
  notification_subscriptions: { client_id: string; channel: Channel; purchases: Default<boolean>; low_balance: Default<boolean>; low_balance_threshold: Default<bigint>; updated_at: Default<Date> };
  notification_cursor: { id: Default<boolean>; last_seq: bigint; updated_at: Default<Date> };
  notification_outbox: {
    id: Generated<bigint>;
    operation_id: string;
    client_id: string;
    kind: NoticeKind;
    channel: Channel;
    address: string;
    subject: string;
    body: string;
    status: Default<'pending' | 'sent' | 'failed'>;
    attempts: Default<number>;
    next_attempt_at: Default<Date>;
    last_error: Default<string | null>;
    gateway_id: Default<string | null>;
    created_at: Generated<Date>;
    sent_at: Default<Date | null>;
  };
  notification_low_balance: { wallet_id: bigint; channel: Channel; notified_at: Default<Date> };
}

export type NotificationsDb = PrepaidDb & NotificationTables;
