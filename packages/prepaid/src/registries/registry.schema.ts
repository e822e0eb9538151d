import { Type } from 'typebox';

/** Schemas of the staff registry API (validation, OpenAPI and types from one place). */
export const RegistryKind = Type.Union([Type.Literal('clients'), Type.Literal('credits')]);
export const RegistryStatusName = Type.Union([Type.Literal('received'), Type.Literal('validated'), Type.Literal('rejected'), Type.Literal('applying'), Type.Literal('scheduled'), Type.Literal('applied'), Type.Literal('failed')]);
export const LineStatus = Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('applied'), Type.Literal('failed'), Type.Literal('skipped'), Type.Literal('deferred')]);

export const UploadQuery = Type.Object(
  {
    kind: RegistryKind,
    number: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "Registry number; the file name's stem when absent" })),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { description: "From the file name's extension when absent" })),
    encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('windows-1251')], { description: 'CSV only; UTF-8 by default' })),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    kind: Type.Optional(RegistryKind),
    status: Type.Optional(RegistryStatusName),
    offset: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const LinesQuery = Type.Object(
  { status: Type.Optional(LineStatus), offset: Type.Integer({ minimum: 0, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
  { additionalProperties: false },
);

export const RegistryParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const TemplateParams = Type.Object({ file: Type.Union([Type.Literal('clients.csv'), Type.Literal('clients.xlsx'), Type.Literal('credits.csv'), Type.Literal('credits.xlsx')]) });
export const ApplyQuery = Type.Object({ force: Type.Boolean({ default: false, description: "Take over another applier's claim at once (after a crash)" }) }, { additionalProperties: false });

const Counters = Type.Object({ total: Type.Integer(), invalid: Type.Integer(), applied: Type.Integer(), failed: Type.Integer(), skipped: Type.Integer(), deferred: Type.Integer() });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Free = Type.Record(Type.String(), Type.Unknown());

export const RegistryView = Type.Object({
  id: Type.String(),
  kind: RegistryKind,
  number: Type.String(),
  format: Type.String(),
  fileName: Nullable(Type.String()),
  bytes: Type.Integer(),
  sha256: Type.String(),
  source: Type.String(),
  status: RegistryStatusName,
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), details: Type.Union([Free, Type.Null()]) }), Type.Null()]),
  lines: Counters,
  receivedBy: Nullable(Type.String()),
  appliedBy: Nullable(Type.String()),
  receivedAt: Type.String(),
  validatedAt: Nullable(Type.String()),
  applyStartedAt: Nullable(Type.String()),
  appliedAt: Nullable(Type.String()),
});

export const Received = Type.Object({ registry: RegistryView, duplicate: Type.Union([Type.Literal('content'), Type.Literal('number'), Type.Null()]) });
export const RegistryList = Type.Object({ items: Type.Array(RegistryView), total: Type.Integer() });

export const LinesPage = Type.Object({
  items: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      key: Nullable(Type.String()),
      action: Nullable(Type.String()),
      status: LineStatus,
      error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
      data: Free,
      change: Type.Union([Free, Type.Null()]),
      result: Type.Union([Free, Type.Null()]),
      operationId: Nullable(Type.String()),
    }),
  ),
  total: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
});
