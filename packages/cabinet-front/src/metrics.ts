import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '@app/kernel';

/**
 * What an operator watches of the cabinet besides HTTP and the bus: billing's verdicts on readings over the
 * last 24 hours (accepted, rejected — a jump in rejections means a rule or a meter directory changed), and
 * readings still waiting for billing. Read at scrape time from the front's own rows; a scrape never fails.
 */
export function registerCabinetFrontMetrics(registry: Registry, database: Database) {
  new Gauge({
    name: 'cabinet_readings_processed',
    help: 'Readings billing accepted or rejected in the last 24 hours, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      try {
        const { rows } = await sql<{ status: string; n: number }>`
          select status, count(*)::int as n from readings where processed_at > now() - interval '1 day' group by status`.execute(database.db);
        this.reset();
        for (const status of ['accepted', 'rejected']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
      } catch {
        // the database is away: this scrape goes without the series
      }
    },
  });
  new Gauge({
    name: 'cabinet_readings_waiting',
    help: 'Readings sent to billing and not yet answered (the back or billing is away when this grows)',
    registers: [registry],
    async collect() {
      try {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from readings where status = 'sent'`.execute(database.db);
        this.set(rows[0]!.n);
      } catch {
        // as above
      }
    },
  });
}
