import type { Database, HttpApp, ServiceRuntime } from '@app/kernel';
import type { Pii } from './crypto/pii.js';
import { TbankAcquiring, type AcquiringAdapter } from './payments/acquiring.js';
import { registerPaymentRoutes } from './payments/payments.routes.js';
import { notifyNetworksFrom, parseNetworks } from './payments/source-networks.js';
import { Payments } from './payments/payments.service.js';
import { Readings } from './readings/readings.service.js';
import type { CabinetFrontDb } from './tables.js';
import { registerUploadRoutes } from './uploads/uploads.routes.js';
import { ReadingUploads } from './uploads/uploads.service.js';

/** Card payments: which bank, where the front is reachable, how often open orders are reconciled. */
export interface PaymentOptions {
  /** Default: T-Bank from ACQUIRING_URL / ACQUIRING_TERMINAL_KEY / ACQUIRING_PASSWORD; none → payments answer 503. */
  acquiring?: AcquiringAdapter | null;
  /** The front's public address (CABINET_PUBLIC_URL), for the bank's notifications and the consumer's return. */
  publicUrl?: string | (() => string);
  /** How often open orders are checked with the bank (default 60 s; 0: never, call reconcile yourself). */
  reconcileIntervalMs?: number;
  /** Only orders untouched this long are checked (default 120 s: the notification usually comes first). */
  reconcileAfterMs?: number;
  /** Networks the bank's notifications may come from (CIDR list); default ACQUIRING_NOTIFY_NETWORKS, see source-networks.ts. */
  notifyNetworks?: string;
}

export interface SelfServiceOptions {
  payments?: PaymentOptions;
}

type Env = Record<string, string | undefined>;

/** The acquiring the environment names, or null. */
export function acquiringFromEnv(env: Env = process.env): AcquiringAdapter | null {
  if (!env.ACQUIRING_URL || !env.ACQUIRING_TERMINAL_KEY || !env.ACQUIRING_PASSWORD) return null;
  return new TbankAcquiring({ url: env.ACQUIRING_URL, terminalKey: env.ACQUIRING_TERMINAL_KEY, password: env.ACQUIRING_PASSWORD });
}

/**
 * The consumer's self-service areas of issue 6 (points 4 and 5): card payments and Excel reading uploads.
 * One function so that server.ts wires them with one line.
 */
export function registerSelfService(
  app: HttpApp,
  deps: { runtime: ServiceRuntime; pii: Pii; nudge: () => void; today: () => string; options?: SelfServiceOptions; env?: Env },
): { payments: Payments; uploads: ReadingUploads } {
  const env = deps.env ?? process.env;
  const database = deps.runtime.database as Database<CabinetFrontDb>;
  const logger = deps.runtime.logger.child({ component: 'payments' });
  const paymentOptions = deps.options?.payments ?? {};
  const acquiring = paymentOptions.acquiring === undefined ? acquiringFromEnv(env) : paymentOptions.acquiring;
  const notifyNetworks = paymentOptions.notifyNetworks ? parseNetworks(paymentOptions.notifyNetworks) : notifyNetworksFrom({ ACQUIRING_NOTIFY_NETWORKS: env.ACQUIRING_NOTIFY_NETWORKS, NODE_ENV: env.NODE_ENV }, acquiring !== null);
  const payments = new Payments({
    database,
    pii: deps.pii,
    acquiring,
    publicUrl: paymentOptions.publicUrl ?? env.CABINET_PUBLIC_URL ?? `http://127.0.0.1:${env.CABINET_FRONT_PORT ?? '3100'}`,
    today: deps.today,
    nudge: deps.nudge,
    logger,
  });
  registerPaymentRoutes(app, { payments, notifyNetworks });

  // The same validation and command as the reading form: a Readings over the same database and clock.
  const readings = new Readings({ database, today: deps.today, nudge: deps.nudge });
  const uploads = new ReadingUploads({ database, pii: deps.pii, readings, today: deps.today, nudge: deps.nudge, logger: deps.runtime.logger.child({ component: 'uploads' }) });
  registerUploadRoutes(app, { uploads });
  app.addHook('onClose', async () => {
    await Promise.allSettled([...uploads.running.values()]);
  });

  const every = paymentOptions.reconcileIntervalMs ?? 60_000;
  if (every > 0) {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        running = payments.reconcile({ olderThanMs: paymentOptions.reconcileAfterMs ?? 120_000 }).catch((err) => logger.warn({ err }, 'payment reconciliation failed'));
      }, every);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  }
  return { payments, uploads };
}
