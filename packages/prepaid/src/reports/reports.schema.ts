import { Type } from 'typebox';

const Kind = Type.Union(['purchase_diary', 'account_statement', 'money_movement', 'operations_journal', 'merchant_turnover', 'balances_summary'].map((k) => Type.Literal(k)));
const Instant = Type.String({ format: 'date-time' });

export const ReportRequest = Type.Object(
  {
    kind: Kind,
    format: Type.Union([Type.Literal('pdf'), Type.Literal('xlsx')]),
    from: Instant,
    to: Instant,
    accountId: Type.Optional(Type.String({ format: 'uuid', description: 'account_statement' })),
    clientId: Type.Optional(Type.String({ format: 'uuid', description: 'money_movement' })),
    merchantId: Type.Optional(Type.String({ format: 'uuid', description: 'purchase_diary, operations_journal, merchant_turnover: one merchant only' })),
    lang: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')], { default: 'ru' })),
  },
  { additionalProperties: false, description: 'The period is [from, to)' },
);
export const ReportJob = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  format: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Integer(),
  rowsDone: Type.Integer(),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  fileName: Type.Union([Type.String(), Type.Null()]),
  params: Type.Record(Type.String(), Type.Unknown()),
  requestedBy: Type.String(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
export const ReportList = Type.Object({ items: Type.Array(ReportJob), total: Type.Integer() });
export const ListQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }), offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }) }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
