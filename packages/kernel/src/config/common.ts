import { Type, type Static } from 'typebox';

/**
 * Settings every service shares. A service composes its own schema from these
 * (`Type.Object({ ...commonSettings, ...own })`) so names and rules stay the same everywhere.
 */
export const commonSettings = {
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], { default: 'development' }),
  LOG_LEVEL: Type.Union(
    [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
    { default: 'info' },
  ),
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'postgres://user@host:port/db; unset = embedded PGlite' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1, description: 'folder for embedded PGlite data and files' }),
  AMQP_URL: Type.Optional(Type.String({ pattern: '^amqps?://', description: 'amqp://user:pass@host:5672; unset = in-process bus' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'redis://host:6379; unset = in-memory cache' })),
  SESSION_TTL_MINUTES: Type.Integer({ minimum: 5, maximum: 7 * 24 * 60, default: 8 * 60 }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  LOGIN_LOCKOUT_MINUTES: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15 }),
  COOKIE_SECURE: Type.Boolean({ default: false, description: 'true behind HTTPS' }),
};

export const portSetting = (defaultPort: number) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: defaultPort });

export const CommonSettings = Type.Object(commonSettings);
export type CommonConfig = Static<typeof CommonSettings>;
