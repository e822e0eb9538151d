import { Type, type Static } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';

export const CabinetBackSettings = Type.Object({
  ...commonSettings,
  PORT: portSetting(3200),
  BILLING_DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'the reference billing database; unset = embedded PGlite in DATA_DIR/billing' }),
  ),
  BILLING_SYNC_INTERVAL_MS: Type.Integer({ minimum: 200, maximum: 3_600_000, default: 5_000, description: 'how often billing changes are polled' }),
  BILLING_DEMO: Type.Boolean({ default: false, description: 'fill an empty reference billing with demo data at start' }),
  // Staff two-factor secrets are encrypted with it (kernel auth/totp.ts); required in production.
  TOTP_KEY: Type.Optional(Type.String({ minLength: 40, description: 'base64 of 32 random bytes (openssl rand -base64 32)' })),
});
export type CabinetBackConfig = Static<typeof CabinetBackSettings>;
