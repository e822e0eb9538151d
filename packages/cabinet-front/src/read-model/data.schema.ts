import { Type } from 'typebox';
import { DateOnlyParam, pageOf, pageQuery } from '../paging.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
export const ContractParams = Type.Object({ contractId: Id });
export const ObjectParams = Type.Object({ objectId: Id });
export const PointParams = Type.Object({ pointId: Id });
export const MeterParams = Type.Object({ meterId: Id });
export const ConsumerParams = Type.Object({ consumerRef: Id });

export const Meter = Type.Object({
  id: Type.String(),
  pointId: Type.String(),
  contractId: Type.String(),
  consumerRef: Type.String(),
  serial: Type.String(),
  model: Type.String(),
  kind: Type.String(),
  digits: Type.Integer(),
  fractionDigits: Type.Integer(),
  transformationRatio: Type.String(),
  zones: Type.Array(Type.String()),
  installedOn: Type.String(),
  verifiedOn: Type.Optional(Type.String()),
  nextVerificationOn: Type.Optional(Type.String()),
  averageMonthlyKwh: Type.Optional(Type.String()),
  lastReadings: Type.Array(Type.Object({ zone: Type.String(), date: Type.String(), value: Type.String() })),
});
export const MeteringPoint = Type.Object({
  id: Type.String(),
  objectId: Type.String(),
  contractId: Type.String(),
  consumerRef: Type.String(),
  code: Type.String(),
  name: Type.String(),
  voltage: Type.Optional(Type.String()),
  maxPowerKw: Type.Optional(Type.String()),
});
export const SupplyObject = Type.Object({ id: Type.String(), contractId: Type.String(), consumerRef: Type.String(), name: Type.String(), address: Type.String() });
export const Contract = Type.Object({
  id: Type.String(),
  consumerRef: Type.String(),
  number: Type.String(),
  status: Type.String(),
  startedOn: Type.String(),
  endedOn: Type.Optional(Type.String()),
  readingWindow: Type.Object({ fromDay: Type.Integer(), toDay: Type.Integer() }),
});
export const ContractDetail = Type.Object({
  ...Contract.properties,
  objects: Type.Array(Type.Object({ ...SupplyObject.properties, meteringPoints: Type.Array(Type.Object({ ...MeteringPoint.properties, meters: Type.Array(Meter) })) })),
});

export const ContractsQuery = pageQuery({ consumerRef: Type.Optional(Id), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('terminated')])) });
export const ObjectsQuery = pageQuery({ contractId: Type.Optional(Id) });
export const PointsQuery = pageQuery({ contractId: Type.Optional(Id), objectId: Type.Optional(Id) });
export const MetersQuery = pageQuery({ contractId: Type.Optional(Id), pointId: Type.Optional(Id) });
export const ContractsPage = pageOf(Contract);
export const ObjectsPage = pageOf(SupplyObject);
export const PointsPage = pageOf(MeteringPoint);
export const MetersPage = pageOf(Meter);

export const HourlyQuery = Type.Object(
  { kind: Type.Union([Type.Literal('metered'), Type.Literal('profile')], { default: 'profile' }), from: DateOnlyParam, to: DateOnlyParam },
  { additionalProperties: false },
);
export const Hourly = Type.Object({
  pointId: Type.String(),
  kind: Type.String(),
  from: Type.String(),
  to: Type.String(),
  days: Type.Array(Type.Object({ date: Type.String(), hours: Type.Array(Type.String()) })),
});

export const ConsumerProfile = Type.Object({
  consumerRef: Type.String(),
  role: Type.String(),
  rights: Type.Array(Type.String()),
  kind: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  inn: Type.Optional(Type.String()),
  ogrn: Type.Optional(Type.String()),
  snils: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  address: Type.Optional(Type.String()),
});
export const Member = Type.Object({ userId: Type.String(), login: Type.String(), displayName: Type.String(), role: Type.String(), rights: Type.Array(Type.String()), since: Type.String() });
