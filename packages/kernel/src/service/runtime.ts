import type { AuthSettings } from '../auth/auth.plugin.js';
import type { Bus } from '../bus/bus.js';
import type { Cache } from '../cache/cache.js';
import type { CommonConfig } from '../config/common.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import { OutboxRelay } from '../outbox/outbox.js';

/** What a service is built from; main.ts (one service) or the all-in-one launcher assembles it. */
export interface ServiceRuntime<DB = unknown> {
  service: string;
  logger: Logger;
  database: Database<DB>;
  bus: Bus;
  cache: Cache;
}

export function authSettingsFrom(config: Pick<CommonConfig, 'SESSION_TTL_MINUTES' | 'LOGIN_MAX_FAILURES' | 'LOGIN_LOCKOUT_MINUTES' | 'COOKIE_SECURE'>): AuthSettings {
  return {
    sessionTtlMinutes: config.SESSION_TTL_MINUTES,
    maxFailures: config.LOGIN_MAX_FAILURES,
    lockoutMinutes: config.LOGIN_LOCKOUT_MINUTES,
    cookieSecure: config.COOKIE_SECURE,
  };
}

/** The readiness checks every service has: its database, the bus, the cache. */
export function standardReadiness(runtime: ServiceRuntime) {
  return {
    database: () => runtime.database.ping(),
    bus: () => {
      if (!runtime.bus.isConnected()) throw new Error('message broker not connected');
    },
    cache: () => runtime.cache.ping(),
  };
}

export function startOutboxRelay(runtime: ServiceRuntime): OutboxRelay {
  const relay = new OutboxRelay({ database: runtime.database, bus: runtime.bus, logger: runtime.logger.child({ component: 'outbox' }) });
  relay.start();
  return relay;
}

/**
 * Stops in reverse order of start on SIGTERM/SIGINT (stop taking requests, finish in-flight work, close
 * connections), then exits; a second signal or a stuck close exits at once.
 */
export function stopOnSignals(logger: Logger, stoppers: Array<() => Promise<unknown>>, graceMs = 25_000) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('stop took too long; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    for (const stopper of [...stoppers].reverse()) {
      try {
        await stopper();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
