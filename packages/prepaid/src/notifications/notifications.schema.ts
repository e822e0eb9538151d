import { Type } from 'typebox';

export const Channel = Type.Union([Type.Literal('sms'), Type.Literal('email')]);
export const Subscription = Type.Object({
  channel: Channel,
  purchases: Type.Boolean(),
  lowBalance: Type.Boolean(),
  lowBalanceThreshold: Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'kopecks' }),
});
export const SubscriptionBody = Type.Object(
  { purchases: Type.Boolean(), lowBalance: Type.Boolean(), lowBalanceThreshold: Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'kopecks' }) },
  { additionalProperties: false },
);
export const ClientParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const ChannelParams = Type.Object({ id: Type.String({ format: 'uuid' }), channel: Channel });
export const SubscriptionList = Type.Object({ items: Type.Array(Subscription) });
export const OutboxItem = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  channel: Type.String(),
  address: Type.String(),
  body: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});
export const OutboxList = Type.Object({ items: Type.Array(OutboxItem) });
