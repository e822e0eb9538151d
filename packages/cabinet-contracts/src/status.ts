import { Type, type Static } from 'typebox';

/** Request/reply: the front asks whether the LAN side and billing answer (it keeps working when not). */
export const backStatusTopic = 'cabinet.back.status';

export const BackStatus = Type.Object({
  service: Type.Literal('cabinet-back'),
  billing: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  at: Type.String({ format: 'date-time' }),
});
export type BackStatus = Static<typeof BackStatus>;
