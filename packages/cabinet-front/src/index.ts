// Public surface of @app/cabinet-front.
export { createCabinetFrontApp, type CabinetFrontOptions, type CabinetFrontConfig } from './server.js';
export { startCabinetFrontWorkers, type CabinetFrontWorkerOptions } from './workers.js';
export { CabinetFrontSettings } from './config.js';
export { cabinetFrontMigrations } from './migrations.js';
export { seedCabinetFrontDemo, demoConsumers, type DemoOptions } from './demo.js';
export { MemoryOtpSender, LogOtpSender, type OtpSender, type OtpMessage } from './auth/otp-sender.js';
export { keyRingFrom, resolveKeyRing, developmentKeySettings, type KeySettings } from './crypto/keys.js';
export { Pii } from './crypto/pii.js';
export { rotateKeys, type RotationReport } from './crypto/rotate-keys.js';
export { EVENTS_QUEUE } from './read-model/event-consumer.js';
// The read model's appliers and the consumer-user row, for loading a front's database in bulk (bench:cabinet)
// exactly as the event consumer and registration write it.
export { applySnapshot, applyHourly } from './read-model/apply.js';
export { insertConsumerUser } from './auth/consumer-users.repo.js';
export { parseLogin, loginKeyOf } from './auth/contact.js';
// Card payments: the T-Bank acquiring client and its local emulator (npm start, tests), self-service options.
export { TbankAcquiring, type AcquiringAdapter } from './payments/acquiring.js';
export { startTbankEmulator, type TbankEmulator, type TbankEmulatorOptions } from './payments/emulator/tbank-emulator.js';
export { acquiringFromEnv, type SelfServiceOptions, type PaymentOptions } from './self-service.js';
export { RecordingNotifier, SmtpNotifier, LogNotifier, type Notifier, type Mail } from './notifications/notifier.js';
