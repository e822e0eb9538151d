import { Type, type Static } from 'typebox';
import { HourlyDay } from './events.js';
import { DateOnly, Id } from './primitives.js';

/**
 * Hourly readings of interval meters uploaded in the cabinet (Excel template). One command per
 * metering point and upload, so a year of one point (~100 KB) is one message and a large file is many.
 * Billing stores them as `metered` data; the back answers with `hourly.processed` and, for what was
 * stored, `profile.computed` (kind `metered`) and `account.changed`.
 */
export const hourlyTopics = {
  submit: 'cabinet.cmd.hourly.submit',
  processed: 'cabinet.evt.hourly.processed',
} as const;

export const SubmitHourly = Type.Object({
  /** The front's id of this point's part of the upload: the bus message id. */
  submissionId: Id,
  uploadId: Id,
  userRef: Id,
  consumerRef: Id,
  meteringPointId: Id,
  days: Type.Array(HourlyDay, { minItems: 1, maxItems: 400 }),
});
export type SubmitHourly = Static<typeof SubmitHourly>;

export const HourlyRejection = Type.Object({ date: Type.Optional(DateOnly), code: Type.String(), message: Type.String() });
export type HourlyRejection = Static<typeof HourlyRejection>;

export const HourlyProcessed = Type.Object({
  submissionId: Id,
  uploadId: Id,
  consumerRef: Id,
  meteringPointId: Id,
  version: Type.String(),
  /** Days billing stored. */
  accepted: Type.Integer({ minimum: 0 }),
  /** Days (or the whole point, without `date`) billing refused, with a stable code. */
  rejected: Type.Array(HourlyRejection),
});
export type HourlyProcessed = Static<typeof HourlyProcessed>;
