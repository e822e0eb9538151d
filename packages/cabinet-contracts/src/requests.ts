import { Type, type Static } from 'typebox';
import { BusAttachments, threadMessageProperties } from './attachments.js';
import { DateOnly, Id, ReadingValue } from './primitives.js';

/**
 * Requests (обращения) with typed forms. Linking a contract is the existing `link.by-request`
 * command (commands.ts); every other kind travels here. Statuses: new → in_progress ⇄ needs_info →
 * answered → closed (the consumer or the supplier closes). The back numbers its changes (`seq`).
 */
export const requestCommandTopics = {
  create: 'cabinet.cmd.request.create',
  message: 'cabinet.cmd.request.message',
  close: 'cabinet.cmd.request.close',
} as const;

export const requestEventTopics = {
  statusChanged: 'cabinet.evt.request.status-changed',
  messagePosted: 'cabinet.evt.request.message-posted',
} as const;

export const requestKinds = ['link_contract', 'correct_details', 'terminate_contract', 'meter_replacement', 'free_form', 'support'] as const;
export type RequestKind = (typeof requestKinds)[number];
export const requestStatuses = ['new', 'in_progress', 'needs_info', 'answered', 'closed'] as const;
export type RequestStatus = (typeof requestStatuses)[number];
export const RequestStatusSchema = Type.Union([Type.Literal('new'), Type.Literal('in_progress'), Type.Literal('needs_info'), Type.Literal('answered'), Type.Literal('closed')]);

const ZoneReading = Type.Object({ zone: Type.String({ minLength: 1, maxLength: 32 }), value: ReadingValue }, { additionalProperties: false });

/** The typed part of each kind of request (the same schemas validate the front's form). */
export const CorrectDetailsFields = Type.Object(
  {
    contractId: Id,
    meteringPointId: Type.Optional(Id),
    /** Which detail is wrong (name, address, bank details, meter serial …), as the consumer says it. */
    detail: Type.String({ minLength: 1, maxLength: 200 }),
    currentValue: Type.Optional(Type.String({ maxLength: 1000 })),
    correctValue: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export const TerminateContractFields = Type.Object(
  { contractId: Id, terminateOn: DateOnly, reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const MeterReplacementFields = Type.Object(
  {
    meteringPointId: Id,
    replacedOn: DateOnly,
    oldMeter: Type.Object({ meterId: Id, finalReadings: Type.Array(ZoneReading, { minItems: 1, maxItems: 8 }) }, { additionalProperties: false }),
    newMeter: Type.Object(
      {
        serial: Type.String({ minLength: 1, maxLength: 64 }),
        model: Type.String({ minLength: 1, maxLength: 128 }),
        digits: Type.Integer({ minimum: 1, maximum: 12 }),
        transformationRatio: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}(\\.[0-9]{1,3})?$' })),
        verifiedOn: Type.Optional(DateOnly),
        initialReadings: Type.Array(ZoneReading, { minItems: 1, maxItems: 8 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const NoFields = Type.Object({}, { additionalProperties: false });

export const RequestFields = Type.Union([CorrectDetailsFields, TerminateContractFields, MeterReplacementFields, NoFields]);

export const RequestCreated = Type.Object({
  requestId: Id,
  userRef: Id,
  /** The billing consumer the request is about (the contract's), when it names one. */
  consumerRef: Type.Optional(Id),
  kind: Type.Union([Type.Literal('correct_details'), Type.Literal('terminate_contract'), Type.Literal('meter_replacement'), Type.Literal('free_form'), Type.Literal('support')]),
  subject: Type.String({ minLength: 1, maxLength: 300 }),
  text: Type.String({ maxLength: 10_000 }),
  fields: RequestFields,
  /** Who writes, for the employee (the cabinet user's name and contact). */
  author: Type.Object({ name: Type.String({ maxLength: 300 }), contact: Type.String({ maxLength: 254 }) }),
  createdAt: Type.String({ format: 'date-time' }),
  attachments: BusAttachments,
});
export type RequestCreated = Static<typeof RequestCreated>;

export const RequestMessage = Type.Object({ requestId: Id, userRef: Id, ...threadMessageProperties });
export type RequestMessage = Static<typeof RequestMessage>;

export const RequestClosed = Type.Object({ requestId: Id, userRef: Id, at: Type.String({ format: 'date-time' }) });
export type RequestClosed = Static<typeof RequestClosed>;

export const RequestStatusChanged = Type.Object({
  requestId: Id,
  userRef: Id,
  status: RequestStatusSchema,
  seq: Type.Integer({ minimum: 1 }),
  at: Type.String({ format: 'date-time' }),
});
export type RequestStatusChanged = Static<typeof RequestStatusChanged>;

/** An answer or a question of the supplier in the request's thread. */
export const RequestMessagePosted = Type.Object({ requestId: Id, userRef: Id, authorName: Type.String({ maxLength: 300 }), ...threadMessageProperties });
export type RequestMessagePosted = Static<typeof RequestMessagePosted>;
