// The process the crash test kills (file-exchange.crash.test.ts): it opens the same database (a PostgreSQL
// URL, or a PGlite folder on disk), takes the file from in/ and applies it, printing the registry's
// progress after every batch so the test can SIGKILL it half-way. Not used outside that test.
import { createDatabase } from '@app/kernel';
import { RegistryService } from '../../registries/registry.service.js';
import type { PrepaidDb } from '../../tables.js';
import { FileExchange, type RegistryPort } from './file-exchange.js';

const database = await createDatabase<PrepaidDb>({ url: process.env.CRASH_DATABASE_URL, dataDir: process.env.CRASH_DATA_DIR, poolSize: 3 });
// Small batches and a short apply lease: many progress reports to kill between, and a quick take-over after.
const registries = new RegistryService(database, { creditBatch: 100, leaseSeconds: 2 });
const port: RegistryPort = {
  receive: (input, o) => registries.receive(input, o),
  results: (id, page) => registries.results(id, page),
  apply: (id, o) => registries.apply(id, { ...o, onProgress: (p) => process.stdout.write(`applied ${p.lines.applied} ${p.lines.total}\n`) }),
};
const exchange = new FileExchange(database, port, { root: process.env.CRASH_EXCHANGE_ROOT!, stablePolls: 1, leaseMs: 1_500, owner: 'crash-child' });
process.stdout.write('ready\n');
await exchange.pollOnce();
process.stdout.write('done\n');
await database.close();
