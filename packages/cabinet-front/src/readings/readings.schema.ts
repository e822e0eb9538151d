import { ReadingValue } from '@app/cabinet-contracts';
import { Type } from 'typebox';
import { DateOnlyParam, pageOf, pageQuery } from '../paging.js';

export const SubmitReadingsBody = Type.Object(
  {
    readings: Type.Array(
      Type.Object({ meterId: Type.String({ minLength: 1, maxLength: 64 }), zone: Type.String({ minLength: 1, maxLength: 32 }), date: DateOnlyParam, value: ReadingValue }, { additionalProperties: false }),
      { minItems: 1, maxItems: 100 },
    ),
    /** Set after the answer `confirmation_required`: the consumer confirms the unusual consumption. */
    confirmJump: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const Reading = Type.Object({
  id: Type.String(),
  meterId: Type.String(),
  consumerRef: Type.String(),
  zone: Type.String(),
  date: Type.String(),
  value: Type.String(),
  source: Type.String(),
  status: Type.Union([Type.Literal('sent'), Type.Literal('accepted'), Type.Literal('rejected')]),
  reasonCode: Type.Optional(Type.String()),
  reasonText: Type.Optional(Type.String()),
  consumptionKwh: Type.Optional(Type.String()),
  submissionId: Type.Optional(Type.String()),
  sentAt: Type.Optional(Type.String()),
  processedAt: Type.Optional(Type.String()),
});

export const Submitted = Type.Object({
  submissionId: Type.String(),
  readings: Type.Array(Type.Object({ id: Type.String(), meterId: Type.String(), zone: Type.String(), date: Type.String(), value: Type.String(), status: Type.Literal('sent'), consumption: Type.Optional(Type.String()), warnings: Type.Array(Type.String()) })),
});

export const ReadingsQuery = pageQuery({
  meterId: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Type.Union([Type.Literal('sent'), Type.Literal('accepted'), Type.Literal('rejected')])),
  source: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(DateOnlyParam),
  to: Type.Optional(DateOnlyParam),
});
export const ReadingsPage = pageOf(Reading);
export const ReadingParams = Type.Object({ readingId: Type.String({ format: 'uuid' }) });
