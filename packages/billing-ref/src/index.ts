// Public surface of @app/billing-ref, the reference billing (README.md). Only cabinet-back uses it.
export { billingRefMigrations } from './migrations.js';
export { openBillingDatabase } from './database.js';
export { BillingRef, type SubmittedReadingInput, type SubmitResult, type BookPaymentInput, type ContractForLink } from './billing-ref.js';
export type { ConcludeContractInput, ConcludedContract } from './conclude.js';
export type { AccountCard } from './accounts.js';
export type { ChangeRecord } from './changes.js';
export type {
  ConsumerRecord,
  ContractRecord,
  SupplyObjectRecord,
  MeteringPointRecord,
  MeterRecord,
  ReadingRecord,
  InvoiceRecord,
  PaymentRecord,
  HourlyRecord,
} from './records.js';
export { checkReading, readingRejectionCodes, type ReadingRejectionCode, type ReadingFacts, type ReadingVerdict } from './readings/reading-rules.js';
export { seedBillingDemo, demoContracts, type DemoOptions, type DemoSummary } from './demo/demo-data.js';
export type { BillingRefDb } from './tables.js';
export { checkHourlyDay, type HourlyDayInput, type HourlyUploadResult } from './hourly-upload.js';
