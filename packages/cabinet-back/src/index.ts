// Public surface of @app/cabinet-back.
export { createCabinetBackApp, type CabinetBackAppOptions } from './server.js';
export { CabinetBackSettings, type CabinetBackConfig } from './config.js';
export { cabinetBackMigrations } from './migrations.js';
export { answerStatusRequests } from './status.js';
export { seedCabinetBackDemo, demoBackOfficeStaff } from './demo.js';
export { backOfficeRoles, backOfficeRoleHierarchy } from './roles.js';
export { startCabinetBackWorkers, type CabinetBackWorkerOptions } from './workers.js';
export { COMMANDS_QUEUE } from './commands/command-consumer.js';
export {
  BillingUnavailableError,
  isBillingUnavailable,
  type BillingAdapter,
  type BillingChange,
  type ChangeEntity,
  type ChangeFeedPage,
  type HourlyKind,
  type LinkCheck,
  type SubmitReadingsResult,
} from './billing/billing-adapter.js';
export { callBilling, isTransientBillingFailure } from './billing/unavailable.js';
export { BillingRefAdapter, openReferenceBilling, type ReferenceBilling } from './billing/billing-ref-adapter.js';
export { demoContracts as demoBillingContracts } from '@app/billing-ref';
