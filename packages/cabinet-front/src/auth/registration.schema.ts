import { Type } from 'typebox';

/** Registration and recovery: TypeBox schemas (validation, OpenAPI and types in one). */
export const StartRegistration = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, description: 'e-mail to register with' })),
    phone: Type.Optional(Type.String({ minLength: 5, maxLength: 32, description: 'or a phone: +7 912 345-67-89, 8 912 …' })),
  },
  { additionalProperties: false },
);
export const ChallengeParams = Type.Object({ challengeId: Type.String({ format: 'uuid' }) });
export const ChallengeAnswer = Type.Object({ challengeId: Type.String(), expiresAt: Type.String({ format: 'date-time' }), resendAfterSeconds: Type.Integer() });
export const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code' });
export const ConfirmRegistration = Type.Object(
  {
    code: Code,
    password: Type.String({ minLength: 1, maxLength: 256 }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export const Registered = Type.Object({ id: Type.String(), login: Type.String() });
export const StartReset = Type.Object({ login: Type.String({ minLength: 3, maxLength: 254, description: 'e-mail or phone' }) }, { additionalProperties: false });
export const ConfirmReset = Type.Object({ code: Code, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
export const Me = Type.Object({
  id: Type.String(),
  login: Type.String(),
  email: Type.Optional(Type.String()),
  phone: Type.Optional(Type.String()),
  displayName: Type.String(),
});
