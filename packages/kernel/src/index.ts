// The kernel's public surface: what business packages may use. Nothing else is imported from
// inside the kernel's folders by other packages.
export * from './config/config.js';
export * from './config/common.js';
export * from './log/logger.js';
export * from './errors/app-error.js';
export * from './db/database.js';
export * from './db/migrate.js';
export * from './db/service-database.js';
export {
  type Bus,
  type Message,
  type PublishOptions,
  type SubscribeOptions,
  type RequestOptions,
  type Subscription,
  type MessageHandler,
  type ReplyHandler,
  type DeadLetter,
  type DeadLetterQueues,
  DEFAULT_MAX_ATTEMPTS,
  defaultBackoff,
  deadLetterQueueName,
  topicMatches,
} from './bus/bus.js';
export * from './bus/create-bus.js';
export * from './bus/in-process-bus.js';
export * from './bus/rabbitmq-bus.js';
export * from './outbox/outbox.js';
export * from './outbox/inbox.js';
export * from './outbox/tables.js';
export * from './crypto/field-encryption.js';
export * from './files/media-type.js';
export * from './files/spreadsheet-safe.js';
export * from './files/stable-files.js';
export * from './notify/sms-ru.js';
export * from './files/upload-guard.js';
export * from './cache/cache.js';
export * from './http/app.js';
export * from './http/access.js';
export * from './http/problem.js';
export * from './http/spa.js';
export type { ReadinessChecks } from './http/probes.js';
export * from './auth/tables.js';
export * from './auth/password.js';
export * from './auth/audit.js';
export * from './auth/users.js';
export * from './auth/users.repo.js';
export { deleteUserSessions, deleteExpiredSessions } from './auth/sessions.repo.js';
export * from './auth/auth.plugin.js';
export * from './auth/user-admin.routes.js';
export * from './auth/seed.js';
export * from './service/runtime.js';
export * from './service/standalone.js';
export * from './service/runtime-metrics.js';
export * from './jobs/schedule.js';
export * from './jobs/scheduler.js';
export * from './jobs/poller.js';
export { listJobRuns, pruneJobRuns, type JobRun, type JobRunQuery } from './jobs/job-runs.repo.js';
export * from './jobs/tables.js';
export { totpCode, totpStep, newTotpSecret, twoFactorKeyRing } from './auth/totp.js';
