// `npm run ledger:verify`: re-checks the prepaid ledger's invariants (ledger.service.ts I1–I11); exit 1 on any mismatch.
// Uses DATABASE_URL, or the embedded database under DATA_DIR/prepaid (default ./data) when none is set.
import { commonSettings, createDatabase, loadConfigOrExit } from '@app/kernel';
import { join } from 'node:path';
import { Type } from 'typebox';
import { verifyLedger } from '../ledger/verify.js';
import type { PrepaidDb } from '../tables.js';

const config = loadConfigOrExit(Type.Object({ DATABASE_URL: commonSettings.DATABASE_URL, DATA_DIR: commonSettings.DATA_DIR }));
const database = await createDatabase<PrepaidDb>({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : join(config.DATA_DIR, 'prepaid') });
try {
  const report = await verifyLedger(database.db);
  const { operations, postings, wallets } = report.counts;
  console.log(`checked ${operations} operations, ${postings} postings, ${wallets} wallets`);
  for (const s of report.systemBalances) console.log(`system ${s.kind.padEnd(10)} ${s.product.padEnd(12)} ${String(s.accounts).padStart(5)} account(s)  balance ${s.balance} kopecks`);
  for (const problem of report.problems) console.log(`MISMATCH ${problem}`);
  const b = report.firstBrokenLink;
  if (b) console.log(`FIRST BROKEN LINK operation ${b.operationId} (seq ${b.seq}), wallet ${b.walletId ?? '-'} link ${b.linkNo ?? '-'}: ${b.reason}`);
  console.log(report.ok ? 'ledger OK' : `ledger has ${report.problems.length}${report.problems.length >= 20 ? '+' : ''} problem(s)`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}
