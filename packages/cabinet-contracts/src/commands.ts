import { Type, type Static } from 'typebox';
import { DateOnly, Id, ReadingValue } from './primitives.js';

/**
 * Commands: cabinet-front → cabinet-back. The front writes them to its outbox in the same transaction
 * as its own rows, so a command survives a broker or back outage and is delivered (at least once) when
 * they return; the back applies each once (inbox keyed by the message id, which the front sets to the
 * command id, and billing's own idempotency by the reading id).
 */
export const commandTopics = {
  linkBySecret: 'cabinet.cmd.link.by-secret',
  linkByRequest: 'cabinet.cmd.link.by-request',
  submitReadings: 'cabinet.cmd.readings.submit',
  resync: 'cabinet.cmd.resync',
} as const;

/** Link a contract at once: contract number plus the secret printed on its invoices. */
export const LinkBySecret = Type.Object({
  commandId: Id,
  /** The front's user id; the back only echoes it back. */
  userRef: Id,
  contractNumber: Type.String({ minLength: 1, maxLength: 64 }),
  secret: Type.String({ minLength: 1, maxLength: 64 }),
});
export type LinkBySecret = Static<typeof LinkBySecret>;

/** Link through a request a supplier employee confirms in the back office (no secret at hand). */
export const LinkByRequest = Type.Object({
  commandId: Id,
  userRef: Id,
  contractNumber: Type.String({ minLength: 1, maxLength: 64 }),
  /** Who asks, as the consumer wrote it, for the employee to check against billing. */
  applicantName: Type.String({ minLength: 1, maxLength: 300 }),
  taxId: Type.Optional(Type.String({ pattern: '^[0-9]{10}$|^[0-9]{12}$' })),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type LinkByRequest = Static<typeof LinkByRequest>;

export const SubmittedReading = Type.Object({
  /** The front's id of the reading: billing's idempotency key for it. */
  readingId: Id,
  meterId: Id,
  zone: Type.String({ minLength: 1, maxLength: 32 }),
  date: DateOnly,
  value: ReadingValue,
});
export type SubmittedReading = Static<typeof SubmittedReading>;

/** Integral readings entered in the cabinet (one submission = one form or one uploaded file). */
export const SubmitReadings = Type.Object({
  submissionId: Id,
  userRef: Id,
  consumerRef: Id,
  readings: Type.Array(SubmittedReading, { minItems: 1, maxItems: 5000 }),
});
export type SubmitReadings = Static<typeof SubmitReadings>;

/** Ask for a full snapshot of a consumer's data (after a link, or when the front finds a gap). */
export const Resync = Type.Object({ consumerRef: Id });
export type Resync = Static<typeof Resync>;
