import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '@app/kernel';

/**
 * Progress of the registries being read or applied, for the dashboard: per registry (kind:number) the lines
 * in the file, applied, failed and invalid so far. Only registries not finished are listed, so the series
 * disappear when a registry is done. Read at scrape time; a scrape never fails.
 */
export function registerRegistryMetrics(registry: Registry, database: Database) {
  new Gauge({
    name: 'prepaid_registry_lines',
    help: 'Lines of the registries being received or applied: total, applied, failed, invalid',
    labelNames: ['registry', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const { rows } = await sql<{ name: string; total: number; applied: number; failed: number; invalid: number }>`
          select kind || ':' || number as name, lines_total as total, lines_applied as applied, lines_failed as failed, lines_invalid as invalid
          from registries where status in ('received', 'applying') order by received_at desc limit 50`.execute(database.db);
        this.reset();
        for (const r of rows) for (const state of ['total', 'applied', 'failed', 'invalid'] as const) this.set({ registry: r.name, state }, r[state]);
      } catch {
        // the database is away: this scrape goes without the series
      }
    },
  });
}
