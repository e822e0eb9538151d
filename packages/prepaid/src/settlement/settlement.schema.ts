import { Type } from 'typebox';

/** Schemas of the staff settlement and jobs API (validation, OpenAPI and types from one place). */
export const SettlementKind = Type.Union([Type.Literal('merchant'), Type.Literal('provider')]);
const Uuid = Type.String({ format: 'uuid' });
const Instant = Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], {
  description: "An ISO date-time, or a date ('2026-11-24') meaning that day's local midnight in the settlement time zone",
});

export const GenerateBody = Type.Object(
  { kind: SettlementKind, partyId: Uuid, from: Instant, to: Instant },
  { additionalProperties: false, description: 'The period is [from, to): from included, to not' },
);

export const RegistryListQuery = Type.Object(
  {
    kind: Type.Optional(SettlementKind),
    partyId: Type.Optional(Uuid),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    offset: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const RegistryParams = Type.Object({ id: Uuid });
export const FileParams = Type.Object({ id: Uuid, format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]) });

const Kopecks = Type.Integer({ description: 'kopecks' });
export const RegistryView = Type.Object({
  id: Type.String(),
  kind: SettlementKind,
  partyId: Type.String(),
  partyCode: Type.String(),
  partyName: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  lineCount: Type.Integer(),
  operationCount: Type.Integer(),
  purchases: Kopecks,
  returns: Kopecks,
  net: Kopecks,
  totals: Type.Array(Type.Object({ product: Type.String(), lines: Type.Integer(), purchases: Kopecks, returns: Kopecks, net: Kopecks })),
  reconciliation: Type.Object({
    ok: Type.Boolean(),
    products: Type.Array(Type.Object({ product: Type.String(), registry: Type.String(), ledger: Type.String() })),
    registryNet: Type.String(),
    ledgerNet: Type.String(),
    operationsNet: Type.String(),
    registryOperations: Type.Integer(),
    ledgerOperations: Type.Integer(),
  }),
  csvSha256: Type.String(),
  createdBy: Type.String(),
  jobRunId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  fileStem: Type.String(),
});
export const RegistryList = Type.Object({ items: Type.Array(RegistryView), total: Type.Integer() });

// ---- jobs ----
export const JobStatus = Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]);
export const JobTrigger = Type.Union([Type.Literal('schedule'), Type.Literal('manual')]);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Free = Type.Record(Type.String(), Type.Unknown());

export const JobRunView = Type.Object({
  id: Type.String(),
  job: Type.String(),
  periodKey: Type.String(),
  trigger: JobTrigger,
  status: JobStatus,
  attempts: Type.Integer(),
  instanceId: Type.String(),
  scheduledFor: Type.String({ format: 'date-time' }),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  lockedUntil: Nullable(Type.String({ format: 'date-time' })),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  requestedBy: Nullable(Type.String()),
  params: Free,
  error: Nullable(Type.String()),
  result: Type.Union([Free, Type.Null()]),
});

export const JobRunList = Type.Object({ items: Type.Array(JobRunView), total: Type.Integer() });
export const JobList = Type.Object({
  items: Type.Array(
    Type.Object({ name: Type.String(), description: Nullable(Type.String()), schedule: Type.Union([Free, Type.Null()]), maxAttempts: Type.Integer(), lastRun: Type.Union([JobRunView, Type.Null()]) }),
  ),
});

export const JobRunsQuery = Type.Object(
  {
    job: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(JobStatus),
    trigger: Type.Optional(JobTrigger),
    offset: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);
export const JobParams = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,99}$' }) });
export const JobRunParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });
export const RunJobBody = Type.Object(
  {
    day: Type.Optional(Type.String({ format: 'date', description: 'settlement.daily / balances.snapshot: the day to settle or snapshot (default yesterday)' })),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$', description: 'Makes the request idempotent: the same key answers the run it started' })),
  },
  { additionalProperties: false },
);
