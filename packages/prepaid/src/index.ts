// Public surface of @app/prepaid: what the launcher and the tests use.
export { createPrepaidApp } from './server.js';
export { PrepaidSettings, workerSettings as prepaidWorkerSettings } from './config.js';
export { prepaidMigrations } from './migrations.js';
export { seedPrepaidDemo, demoStaff } from './demo.js';
export { seedWorkplaceDemo } from './web/demo-data.js';
export { prepaidRoles, prepaidRoleHierarchy, type PrepaidRole } from './roles.js';
export { Ledger, type LedgerResult, type BasketLine } from './ledger/ledger.service.js';
export { verifyLedger, type VerifyReport } from './ledger/verify.js';
export { Terminals } from './terminals/terminals.service.js';
export { Identifiers } from './identifiers/identifiers.service.js';
export type { PrepaidDb } from './tables.js';
export { startExchangeWorkers, type ExchangeSettings } from './exchange/workers.js';
export { startPrepaidWorkers, type PrepaidWorkerSettings } from './workers.js';
