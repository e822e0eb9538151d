import { Type } from 'typebox';
import { commonSettings, portSetting } from '@app/kernel';
import { workplaceSettings } from './web/settings.js';

/**
 * What the background workers of an instance read (integration adapters, scheduled jobs); shared with
 * the all-in-one launcher, which runs the same workers.
 */
export const workerSettings = {
  // Integration adapters (docs/exchange.md).
  EXCHANGE_DIR: Type.Optional(Type.String({ minLength: 1, description: 'root of the file exchange folders (in/ work/ out/ archive/ error/); unset = file exchange off' })),
  EXCHANGE_POLL_MS: Type.Integer({ minimum: 50, maximum: 3_600_000, default: 2_000, description: 'interval between polls of the exchange folder and of the exchange tables' }),
  EXCHANGE_STABLE_POLLS: Type.Integer({ minimum: 1, maximum: 100, default: 2, description: 'polls a dropped file must keep its size and mtime before it is taken (1 = at once; for partners who upload as *.tmp then rename)' }),
  EXCHANGE_LEASE_SECONDS: Type.Integer({ minimum: 5, maximum: 3_600, default: 60, description: 'how long a file or exchange-table row taken by a crashed instance waits before another takes it over' }),
  SETTLEMENT_FORMATS: Type.String({ pattern: '^(csv|xlsx)(,(csv|xlsx))?$', default: 'csv', description: 'formats of the settlement registries written to the exchange out/ folder: csv, xlsx or csv,xlsx' }),
  OFFLINE_SIGNING_KEY: Type.Optional(Type.String({ minLength: 1, description: 'Ed25519 key signing terminal snapshots: PKCS#8 PEM or base64 32-byte seed; required in production (a public development key otherwise)' })),
  EXCHANGE_TABLES: Type.Boolean({ default: true, description: 'process the PostgreSQL exchange tables (exchange_client_requests, exchange_credit_requests)' }),
  // Staff workplace: notification gateways, report queue, LDAP login (src/web/settings.ts).
  ...workplaceSettings,
};

export const PrepaidSettings = Type.Object({
  ...commonSettings,
  PORT: portSetting(3000),
  HOLD_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 900, description: 'how long a POS hold (pre-authorization) lives when the terminal does not say; then it expires and the money goes back' }),
  ...workerSettings,
});
