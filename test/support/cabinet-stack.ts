import { randomBytes } from 'node:crypto';
import { BillingRef, billingRefMigrations, seedBillingDemo, type BillingRefDb } from '@app/billing-ref';
import { BillingRefAdapter, cabinetBackMigrations, createCabinetBackApp, seedCabinetBackDemo, startCabinetBackWorkers } from '@app/cabinet-back';
import {
  cabinetFrontMigrations,
  createCabinetFrontApp,
  MemoryOtpSender,
  RecordingNotifier,
  resolveKeyRing,
  startTbankEmulator,
  TbankAcquiring,
  type CabinetFrontOptions,
  type TbankEmulator,
} from '@app/cabinet-front';
import { createBus, createCache, createLogger, fastHashingForTests, startOutboxRelay, type Bus, type Database, type HttpApp, type ServiceRuntime } from '@app/kernel';
import { createTestDatabase, testConfig, waitFor, type TestDatabase } from '@app/kernel/testing';

/**
 * The whole cabinet as it runs, for end-to-end and browser tests: cabinet-front and cabinet-back on
 * their own databases, the reference billing on a third (with demo data), talking only over the bus —
 * RabbitMQ when AMQP_URL is set, each side on its own connection as two processes would be; the
 * in-process bus otherwise. Front and back listen on ports of their own (the browser needs them), the
 * T-Bank emulator takes card payments, one-time codes and e-mails are recorded for the test to read.
 */
export interface CabinetStack {
  frontUrl: string;
  backUrl: string;
  front: HttpApp;
  back: HttpApp;
  frontDb: TestDatabase;
  backDb: TestDatabase;
  billingDb: TestDatabase<BillingRefDb>;
  billing: BillingRefAdapter;
  bank: TbankEmulator;
  otp: MemoryOtpSender;
  mail: RecordingNotifier;
  /** The day the billing demo data was generated for (readings windows, hourly data). */
  today: string;
  close(): Promise<void>;
}

export interface CabinetStackOptions {
  /** Consumers generated in billing besides the demo contracts (default 12). */
  consumers?: number;
  /** Trusted roots for signature checks (DER), e.g. a test CA from @app/cabinet-front/testing. */
  trustedRoots?: Buffer[];
  /** More front options (merged over the stack's). */
  front?: Partial<CabinetFrontOptions>;
}

interface Side {
  runtime: ServiceRuntime;
  nudge: () => void;
  stop: () => Promise<void>;
}

const logger = createLogger({ service: 'cabinet-stack', level: 'silent' });

function side(service: string, database: Database, bus: Bus): Side {
  const cache = createCache({ url: process.env.REDIS_URL, prefix: `test-${randomBytes(4).toString('hex')}:` });
  const runtime: ServiceRuntime = { service, logger, database, bus, cache };
  const relay = startOutboxRelay(runtime);
  return { runtime, nudge: () => relay.nudge(), stop: async () => { await relay.stop(); await cache.close(); } };
}

export async function startCabinetStack(options: CabinetStackOptions = {}): Promise<CabinetStack> {
  const today = new Date().toISOString().slice(0, 10);
  const [frontDb, backDb, billingDb] = await Promise.all([
    createTestDatabase({ migrations: cabinetFrontMigrations }),
    createTestDatabase({ migrations: cabinetBackMigrations }),
    createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations }),
  ]);
  await seedBillingDemo(billingDb, { consumers: options.consumers ?? 12, today });
  const billing = new BillingRefAdapter(new BillingRef(billingDb));

  const amqpUrl = process.env.AMQP_URL;
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const frontBus = amqpUrl ? createBus({ url: amqpUrl, logger, service: 'cabinet-front', prefix }) : createBus({ logger, service: 'all-in-one' });
  const backBus = amqpUrl ? createBus({ url: amqpUrl, logger, service: 'cabinet-back', prefix }) : frontBus;
  const buses = [...new Set([frontBus, backBus])];
  await waitFor(() => buses.every((b) => b.isConnected()), { what: 'buses connected' });
  const frontSide = side('cabinet-front', frontDb, frontBus);
  const backSide = side('cabinet-back', backDb, backBus);

  const otp = new MemoryOtpSender();
  const mail = new RecordingNotifier();
  const bank = await startTbankEmulator();
  let frontUrl = '';
  const frontOptions = options.front ?? {};
  const front = await createCabinetFrontApp(frontSide.runtime, testConfig, {
    hashing: fastHashingForTests,
    otpSender: otp,
    keys: resolveKeyRing({ NODE_ENV: 'test' }),
    nudge: frontSide.nudge,
    ...frontOptions,
    documents: { notifier: mail, ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}), notifications: { intervalMs: 200 }, ...frontOptions.documents },
    selfService: {
      payments: { acquiring: new TbankAcquiring({ url: bank.apiUrl, terminalKey: bank.terminalKey, password: bank.password }), publicUrl: () => frontUrl, reconcileIntervalMs: 0 },
      ...frontOptions.selfService,
    },
  });
  frontUrl = await front.listen({ port: 0, host: '127.0.0.1' });

  const stopWorkers = await startCabinetBackWorkers(backSide.runtime, billing, { nudge: backSide.nudge, syncIntervalMs: 500, commands: { backoffMs: () => 200 } });
  await seedCabinetBackDemo(backDb, fastHashingForTests);
  // The back's one-time support links point at this front (CABINET_FRONT_PUBLIC_URL in a deployment).
  const back = await createCabinetBackApp(backSide.runtime, testConfig, { hashing: fastHashingForTests, billing, nudge: backSide.nudge, support: { frontUrl: () => frontUrl } });
  const backUrl = await back.listen({ port: 0, host: '127.0.0.1' });

  return {
    frontUrl,
    backUrl,
    front,
    back,
    frontDb,
    backDb,
    billingDb,
    billing,
    bank,
    otp,
    mail,
    today,
    close: async () => {
      await stopWorkers();
      await Promise.all([front.close(), back.close(), bank.close()]);
      await Promise.all([frontSide.stop(), backSide.stop()]);
      await Promise.all(buses.map((b) => b.close()));
      await Promise.all([frontDb.close(), backDb.close(), billingDb.close()]);
    },
  };
}
