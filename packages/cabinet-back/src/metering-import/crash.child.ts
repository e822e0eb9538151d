// The process import-folder.crash.test.ts kills: it opens the back's and billing's databases (PostgreSQL
// URLs, or PGlite folders on disk), takes the 80020 file from the import folder and sends it to billing,
// printing each point sent so the test can SIGKILL it between two points. Not used outside that test.
import { BillingRef, type BillingRefDb } from '@app/billing-ref';
import { createDatabase } from '@app/kernel';
import type { BillingAdapter } from '../billing/billing-adapter.js';
import { BillingRefAdapter } from '../billing/billing-ref-adapter.js';
import type { CabinetBackDb } from '../tables.js';
import { ImportFolder } from './import-folder.js';

const env = process.env;
const backDb = await createDatabase<CabinetBackDb>({ url: env.CRASH_BACK_URL, dataDir: env.CRASH_BACK_DIR, poolSize: 2 });
const billingDb = await createDatabase<BillingRefDb>({ url: env.CRASH_BILLING_URL, dataDir: env.CRASH_BILLING_DIR, poolSize: 2 });
const real = new BillingRefAdapter(new BillingRef(billingDb, { now: () => new Date('2025-06-15T09:00:00Z') }));
const adapter: BillingAdapter = Object.assign(Object.create(real) as BillingAdapter, {
  submitHourly: async (...args: Parameters<BillingAdapter['submitHourly']>) => {
    const result = await real.submitHourly(...args);
    process.stdout.write(`sent ${args[1]}\n`);
    await new Promise((r) => setTimeout(r, 2_000)); // time to be killed before the next point
    return result;
  },
});
const folder = new ImportFolder(backDb, adapter, { root: env.CRASH_ROOT!, today: () => '2025-06-15', stablePolls: 1, leaseMs: 1_500, owner: 'crash-child' });
process.stdout.write('ready\n');
await folder.pollOnce();
process.stdout.write('done\n');
await Promise.all([backDb.close(), billingDb.close()]);
