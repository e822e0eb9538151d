import { Type, type Static } from 'typebox';
import { Id } from './primitives.js';

/**
 * Support "act as consumer": the back office lets one employee look at one consumer's cabinet, read
 * only, for a short while. The back publishes the grant with the SHA-256 (base64url) of a one-time
 * token; the token itself goes only to the employee's browser, which brings it to the front
 * (GET /auth/support/enter?token=…). The front opens a read-only session named after the employee
 * and shows the consumer the visit. A grant is used once and not after `expiresAt`.
 */
export const supportTopics = { granted: 'cabinet.evt.support.granted' } as const;

export const SupportGranted = Type.Object({
  grantId: Type.String({ format: 'uuid' }),
  consumerRef: Id,
  tokenSha256: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
  employee: Type.Object({ login: Type.String({ minLength: 1, maxLength: 254 }), name: Type.String({ maxLength: 300 }) }),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type SupportGranted = Static<typeof SupportGranted>;
