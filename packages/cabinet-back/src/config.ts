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
  // Support's one-time "act as consumer" links (support/) point there: the cabinet as the employee's browser reaches it.
  CABINET_FRONT_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://', description: "the consumer cabinet's public address; default http://localhost:3100" })),
  // 80020 files from billing or the grid company (metering-import/): a watched folder and the senders trusted with any area.
  METERING_IMPORT_DIR: Type.Optional(Type.String({ minLength: 1, description: 'root of the 80020 import folders (incoming/<consumerRef>/, work/, processed/, failed/); unset = no folder import' })),
  METERING_IMPORT_POLL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5_000, description: 'how often the 80020 import folder is looked at' }),
  METERING_IMPORT_TRUSTED_SENDERS: Type.Optional(
    Type.String({ pattern: '^[0-9]{10}([0-9]{2})?(,[0-9]{10}([0-9]{2})?)*$', description: "comma-separated INNs of 80020 senders whose areas are taken whatever INN they carry (else an area must carry the consumer's INN)" }),
  ),
});

/** METERING_IMPORT_TRUSTED_SENDERS as a list. */
export const trustedSenders = (config: Pick<CabinetBackConfig, 'METERING_IMPORT_TRUSTED_SENDERS'>) => (config.METERING_IMPORT_TRUSTED_SENDERS ?? '').split(',').filter(Boolean);
export type CabinetBackConfig = Static<typeof CabinetBackSettings>;
