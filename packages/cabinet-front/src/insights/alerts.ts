import { randomUUID } from 'node:crypto';
import type { Database, JobDefinition, Logger } from '@app/kernel';
import { sql } from 'kysely';
import type { Pii } from '../crypto/pii.js';
import type { Notifier } from '../notifications/notifier.js';
import type { CabinetFrontDb } from '../tables.js';
import { addDays } from './insights.service.js';
import { alertKinds, type AlertKind } from './insights.tables.js';

/**
 * E-mail alerts of consumption insight, a kernel Scheduler job (`insights.alerts`, daily 09:00 supplier
 * time, once per day across instances). For every member of a consumer who may view it and has not switched
 * the alert off:
 *   debt                 the account has debt and an invoice is past its due date      (once per invoice month)
 *   missing_reading      from the 20th to the 24th, an active integral meter has no reading this month
 *                        (sent or accepted)                                              (once per month)
 *   unusual_consumption  yesterday's kWh of the consumer's points is above 3× the daily average of the 28
 *                        days before and above 10 kWh                                     (once per day)
 * Each alert takes its unique row (user, consumer, kind, period) before the e-mail goes, so a run retaken
 * after a crash, a second instance or a later run never sends it twice; a failed e-mail keeps its row
 * unsent and is tried again on the next run.
 */
export const ALERTS_JOB = 'insights.alerts';

export interface AlertsDeps {
  database: Database<CabinetFrontDb>;
  pii: Pii;
  notifier: Notifier;
  today: () => string;
  logger: Logger;
}

interface Candidate {
  userId: string;
  consumerRef: string;
  kind: AlertKind;
  periodKey: string;
  facts: Record<string, string>;
}

export class InsightAlerts {
  constructor(private readonly deps: AlertsDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  job(): JobDefinition {
    return { name: ALERTS_JOB, description: 'E-mail alerts: past-due debt, a missing monthly reading, unusual consumption', schedule: { daily: '09:00', timeZone: 'Europe/Moscow' }, run: async () => this.run() };
  }

  async settings(userId: string, consumerRef: string): Promise<Record<AlertKind, boolean>> {
    const rows = await this.db.selectFrom('alert_settings').select(['kind', 'enabled']).where('user_id', '=', userId).where('consumer_ref', '=', consumerRef).execute();
    return Object.fromEntries(alertKinds.map((k) => [k, rows.find((r) => r.kind === k)?.enabled ?? true])) as Record<AlertKind, boolean>;
  }

  async setSettings(userId: string, consumerRef: string, changes: Partial<Record<AlertKind, boolean>>) {
    for (const kind of alertKinds) {
      const enabled = changes[kind];
      if (enabled === undefined) continue;
      await this.db
        .insertInto('alert_settings')
        .values({ user_id: userId, consumer_ref: consumerRef, kind, enabled })
        .onConflict((oc) => oc.columns(['user_id', 'consumer_ref', 'kind']).doUpdateSet({ enabled, updated_at: sql`now()` }))
        .execute();
    }
    return this.settings(userId, consumerRef);
  }

  /** One run: find what is due, take each alert's row once, send the unsent. */
  async run(): Promise<{ found: number; queued: number; sent: number; failed: number }> {
    const candidates = await this.candidates(this.deps.today());
    let queued = 0;
    for (const c of candidates) {
      const inserted = await this.db
        .insertInto('sent_alerts')
        .values({ id: randomUUID(), user_id: c.userId, consumer_ref: c.consumerRef, kind: c.kind, period_key: c.periodKey, facts: JSON.stringify(c.facts), last_error: null, sent_at: null })
        .onConflict((oc) => oc.columns(['user_id', 'consumer_ref', 'kind', 'period_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) queued++;
    }
    const { sent, failed } = await this.sendUnsent();
    return { found: candidates.length, queued, sent, failed };
  }

  private async sendUnsent() {
    let sent = 0;
    let failed = 0;
    await this.deps.database.transaction(async (trx) => {
      const rows = await trx.selectFrom('sent_alerts').selectAll().where('sent_at', 'is', null).where('attempts', '<', 10).orderBy('created_at').limit(500).forUpdate().skipLocked().execute();
      for (const row of rows) {
        const user = await trx.selectFrom('consumer_users').select('email_enc').where('user_id', '=', row.user_id).executeTakeFirst();
        const email = this.deps.pii.open('consumer_users', 'email_enc', row.user_id, user?.email_enc);
        if (!email) {
          await trx.updateTable('sent_alerts').set({ attempts: 10, last_error: 'no e-mail address' }).where('id', '=', row.id).execute();
          continue;
        }
        try {
          await this.deps.notifier.send({ to: email, ...renderAlert(row.kind, row.facts) });
          await trx.updateTable('sent_alerts').set({ sent_at: new Date(), attempts: row.attempts + 1 }).where('id', '=', row.id).execute();
          sent++;
        } catch (err) {
          failed++;
          await trx.updateTable('sent_alerts').set({ attempts: row.attempts + 1, last_error: String((err as Error).message ?? err).slice(0, 500) }).where('id', '=', row.id).execute();
        }
      }
    });
    return { sent, failed };
  }

  /** What is due today, for members with the right to view and the alert not switched off. */
  async candidates(today: string): Promise<Candidate[]> {
    const members = await sql<{ user_id: string; consumer_ref: string; off: string[] }>`
      select m.user_id, m.consumer_ref, coalesce(array(select s.kind from alert_settings s where s.user_id = m.user_id and s.consumer_ref = m.consumer_ref and not s.enabled), '{}') as off
      from memberships m where 'view' = any(m.rights)`.execute(this.db);
    if (members.rows.length === 0) return [];
    const refs = [...new Set(members.rows.map((m) => m.consumer_ref))];
    const month = today.slice(0, 7);
    const day = Number(today.slice(8, 10));

    const debts = await sql<{ consumer_ref: string; debt: string; period: string; due: string }>`
      select a.consumer_ref, sum(a.debt)::text as debt, max(i.period) as period, to_char(max(i.due_on), 'YYYY-MM-DD') as due
      from accounts a join invoices i on i.contract_id = a.contract_id and i.kind = 'invoice' and i.due_on < ${today}::date
      where a.consumer_ref = any(${refs}) and a.debt > 0
      group by a.consumer_ref`.execute(this.db);

    const missing =
      day >= 20 && day < 25
        ? await sql<{ consumer_ref: string; meters: string }>`
            select me.consumer_ref, count(*)::text as meters
            from meters me join contracts c on c.id = me.contract_id and c.status = 'active'
            where me.consumer_ref = any(${refs}) and me.kind = 'integral'
              and not exists (select 1 from readings r where r.meter_id = me.id and r.status <> 'rejected' and to_char(r.reading_date, 'YYYY-MM') = ${month})
            group by me.consumer_ref`.execute(this.db)
        : { rows: [] };

    const yesterday = addDays(today, -1);
    const unusual = await sql<{ consumer_ref: string; last: string; average: string }>`
      with daily as (
        select hd.consumer_ref, hd.day, sum((select sum(h) from unnest(hd.hours::numeric[]) h)) as kwh
        from hourly_days hd join metering_points p on p.id = hd.point_id
        where hd.consumer_ref = any(${refs}) and hd.day between ${addDays(yesterday, -28)}::date and ${yesterday}::date
          and hd.kind = case when exists (select 1 from meters m where m.point_id = p.id and m.kind = 'interval') then 'metered' else 'profile' end
        group by hd.consumer_ref, hd.day
      )
      select d.consumer_ref, round(d.kwh, 3)::text as last, round(b.average, 3)::text as average
      from daily d join (select consumer_ref, avg(kwh) as average from daily where day < ${yesterday}::date group by consumer_ref having count(*) >= 7) b on b.consumer_ref = d.consumer_ref
      where d.day = ${yesterday}::date and d.kwh > 3 * b.average and d.kwh > 10`.execute(this.db);

    const out: Candidate[] = [];
    for (const m of members.rows) {
      const off = new Set(m.off);
      const debt = debts.rows.find((d) => d.consumer_ref === m.consumer_ref);
      if (debt && !off.has('debt')) out.push({ userId: m.user_id, consumerRef: m.consumer_ref, kind: 'debt', periodKey: debt.period, facts: { debt: debt.debt, period: debt.period, dueOn: debt.due } });
      const gap = missing.rows.find((r) => r.consumer_ref === m.consumer_ref);
      if (gap && !off.has('missing_reading')) out.push({ userId: m.user_id, consumerRef: m.consumer_ref, kind: 'missing_reading', periodKey: month, facts: { month, meters: gap.meters } });
      const jump = unusual.rows.find((r) => r.consumer_ref === m.consumer_ref);
      if (jump && !off.has('unusual_consumption')) out.push({ userId: m.user_id, consumerRef: m.consumer_ref, kind: 'unusual_consumption', periodKey: yesterday, facts: { day: yesterday, kwh: jump.last, average: jump.average } });
    }
    return out;
  }
}

const rubles = (kopecks: string) => `${(Number(kopecks) / 100).toFixed(2).replace('.', ',')} ₽`;

/** The alert e-mails (ru). Numbers only: no names or addresses. */
export function renderAlert(kind: AlertKind, facts: Record<string, string>) {
  switch (kind) {
    case 'debt':
      return { subject: 'Просроченная задолженность', text: `По вашему договору есть задолженность ${rubles(facts.debt ?? '0')}: счёт за ${facts.period} нужно было оплатить до ${facts.dueOn}.\n\nОплатить можно в личном кабинете.\n` };
    case 'missing_reading':
      return { subject: `Передайте показания за ${facts.month}`, text: `За ${facts.month} нет показаний по ${facts.meters} прибор(ам) учёта. Передайте их до 25-го числа в личном кабинете.\n` };
    default:
      return { subject: 'Необычное потребление', text: `${facts.day} потребление составило ${facts.kwh} кВт·ч — больше чем втрое выше среднего за последние 4 недели (${facts.average} кВт·ч в сутки).\n\nПодробности — в личном кабинете.\n` };
  }
}
