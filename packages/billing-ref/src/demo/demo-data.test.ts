import { createDatabase, migrate, type Database } from '@app/kernel';
import { createTestDatabase, usingRealServices } from '@app/kernel/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { billingRefMigrations } from '../migrations.js';
import type { BillingRefDb } from '../tables.js';
import { seedBillingDemo } from './demo-data.js';

const TODAY = '2025-06-15';

/** One hash over the rows that carry the generated values. */
async function fingerprint(database: Database<BillingRefDb>): Promise<string> {
  const { rows } = await sql<{ fp: string }>`
    select md5(
      (select string_agg(id || name || coalesce(inn, ''), ',' order by id) from consumers) ||
      (select string_agg(number || link_secret || reading_from_day, ',' order by id) from contracts) ||
      (select string_agg(id || serial || digits || transformation_ratio::text || array_to_string(zones, '/'), ',' order by id) from meters) ||
      (select string_agg(meter_id || zone || reading_date || value::text || coalesce(consumption_kwh::text, ''), ',' order by meter_id, zone, reading_date) from readings) ||
      (select string_agg(metering_point_id || day::text || array_to_string(hours, '/'), ',' order by metering_point_id, day) from hourly) ||
      (select string_agg(number || amount, ',' order by number) from invoices) ||
      (select string_agg(contract_id || paid_on::text || amount, ',' order by contract_id, paid_on, amount) from payments)
    ) as fp`.execute(database.db);
  return rows[0]!.fp;
}

describe('demo data generator', () => {
  // Alone on the 2-core machine it takes ~16 s on PGlite and ~12 s on PostgreSQL (README); the bound here is
  // looser because the suites run in parallel with others on the same two cores.
  it('generates the full demo (1,000 consumers, 3,000+ points, a year of hourly data) and prints the time', { timeout: 240_000 }, async () => {
    const database = await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations });
    try {
      const steps: string[] = [];
      const summary = (await seedBillingDemo(database, { today: TODAY, onProgress: (step, ms) => steps.push(`${step} ${(ms / 1000).toFixed(1)} s`) }))!;
      console.log(`billing-ref demo on ${database.kind}: ${(summary.ms / 1000).toFixed(1)} s (${steps.join(', ')})`, summary);
      expect(summary.consumers).toBe(1000);
      expect(summary.meteringPoints).toBeGreaterThanOrEqual(3000);
      // Every interval meter has every day from the 1st of June 2024 to yesterday.
      expect(summary.hourlyDays).toBe(summary.intervalMeters * 379);
      expect(summary.ms).toBeLessThan(120_000);
      const { rows } = await sql<{ bad: number }>`
        select count(*)::int as bad from invoices i
        where amount <> (select sum(amount) from charges c where c.contract_id = i.contract_id and c.month = i.period)`.execute(database.db);
      expect(rows[0]!.bad).toBe(0);
    } finally {
      await database.close();
    }
  });

  it('gives the same rows for the same seed and day', async () => {
    const make = async (url?: string) => {
      const database = url ? await createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations }) : await createDatabase<BillingRefDb>({});
      if (!url) await migrate(database, billingRefMigrations);
      await seedBillingDemo(database, { consumers: 25, today: TODAY });
      const fp = await fingerprint(database);
      await database.close();
      return fp;
    };
    const embedded = await make();
    expect(await make()).toBe(embedded);
    // And on a real server the same as embedded, when the environment names one.
    if (usingRealServices.postgres) expect(await make(process.env.DATABASE_URL)).toBe(embedded);
  }, 300_000);
});
