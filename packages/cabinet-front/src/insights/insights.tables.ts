import type { ColumnType, Generated } from 'kysely';

/** Kysely types of migrations/0011_insights_alerts.sql. */
export type AlertKind = 'debt' | 'missing_reading' | 'unusual_consumption';
export const alertKinds: readonly AlertKind[] = ['debt', 'missing_reading', 'unusual_consumption'];

export interface AlertSettingsTable {
  user_id: string;
  consumer_ref: string;
  kind: AlertKind;
  enabled: boolean;
  updated_at: Generated<Date>;
}

export interface SentAlertsTable {
  id: string;
  user_id: string;
  consumer_ref: string;
  kind: AlertKind;
  period_key: string;
  facts: ColumnType<Record<string, string>, string, string>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
}

declare module '../tables.js' {
  interface CabinetFrontDb {
    alert_settings: AlertSettingsTable;
    sent_alerts: SentAlertsTable;
  }
}
