import { Type } from 'typebox';
import { DateOnlyParam } from '../paging.js';

export const ConsumerParams = Type.Object({ consumerRef: Type.String({ minLength: 1, maxLength: 64 }) });

export const TemplateQuery = Type.Object(
  {
    /** The hourly sheet's days (default: the previous month); at most 366. */
    from: Type.Optional(DateOnlyParam),
    to: Type.Optional(DateOnlyParam),
  },
  { additionalProperties: false },
);

export const UploadQuery = Type.Object(
  {
    consumerRef: Type.String({ minLength: 1, maxLength: 64 }),
    /** The consumer confirms unusual consumption in advance (the form asks for it per reading). */
    confirmJump: Type.Optional(Type.Boolean()),
    fileName: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);

const CellError = Type.Object({ sheet: Type.String(), cell: Type.String(), code: Type.String(), message: Type.String() });

export const Upload = Type.Object({
  id: Type.String(),
  consumerRef: Type.Union([Type.String(), Type.Null()]),
  /** The Excel template or an 80020 XML file (then `sheet` of an error is the measuring point's code, `cell` line:column). */
  format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('80020')])),
  fileName: Type.Optional(Type.String()),
  bytes: Type.Integer(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('processing'), Type.Literal('done'), Type.Literal('failed')]),
  /** 0–100: checking the file (to 10), reading its rows (to 90), sending (to 100). */
  progress: Type.Integer(),
  rowsRead: Type.Integer(),
  readingsSent: Type.Integer(),
  hourlyDaysSent: Type.Integer(),
  errorCount: Type.Integer(),
  /** Per cell, the first 1000. */
  errors: Type.Array(CellError),
  submissionId: Type.Optional(Type.String()),
  failure: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  durationMs: Type.Optional(Type.Integer()),
  hourly: Type.Object({
    points: Type.Integer(),
    /** Points billing has answered for. */
    processed: Type.Integer(),
    daysAccepted: Type.Integer(),
    rejected: Type.Array(Type.Object({ pointId: Type.String(), date: Type.Optional(Type.String()), code: Type.String(), message: Type.String() })),
  }),
  createdAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
});

export const UploadParams = Type.Object({ uploadId: Type.String({ format: 'uuid' }) });

export const Upload80020Query = Type.Object(
  {
    consumerRef: Type.String({ minLength: 1, maxLength: 64 }),
    fileName: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);
