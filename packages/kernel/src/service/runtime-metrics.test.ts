import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../bus/create-bus.js';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import { createLogger } from '../log/logger.js';
import { enqueueMessage } from '../outbox/outbox.js';
import type { BusTables } from '../outbox/tables.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

const logger = createLogger({ service: 'metrics-test', level: 'silent' });

/** The runtime gauges read what is really in the outbox and on the bus at scrape time. */
describe('runtime metrics', () => {
  let database: TestDatabase<BusTables>;
  let bus: Bus;
  const registry = new Registry();
  const prefix = `test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    database = await createTestDatabase<BusTables>();
    bus = createBus({ url: process.env.AMQP_URL, logger, service: 'metrics-test', prefix });
    await waitFor(() => bus.isConnected(), { what: 'bus connected' });
    registerRuntimeMetrics(registry, { database: database as unknown as Database, bus, logger });
  });
  afterAll(async () => {
    await bus?.close();
    await database?.close();
  });

  const scrape = async () => registry.metrics();
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('shows the outbox lag: pending messages and the age of the oldest', async () => {
    expect(value(await scrape(), 'outbox_pending_messages')).toBe(0);
    expect(value(await scrape(), 'outbox_oldest_pending_seconds')).toBe(0);
    await database.transaction((trx) => enqueueMessage(trx, 'cabinet.cmd.readings.submit', { n: 1 }));
    await database.transaction((trx) => enqueueMessage(trx, 'cabinet.cmd.readings.submit', { n: 2 }));
    await new Promise((r) => setTimeout(r, 50));
    const text = await scrape();
    expect(value(text, 'outbox_pending_messages')).toBe(2);
    expect(value(text, 'outbox_oldest_pending_seconds')).toBeGreaterThan(0);
  });

  it('shows the depth of the queues the service consumes, and the bus connection', async () => {
    const sub = await bus.subscribe('metrics.depth', ['metrics.depth.#'], async () => {});
    await sub.close();
    for (let n = 0; n < 4; n++) await bus.publish('metrics.depth.tick', { n });
    await waitFor(async () => value(await scrape(), 'bus_queue_messages{queue="metrics.depth",state="ready"}') === 4, { what: 'four waiting' });
    const text = await scrape();
    expect(value(text, 'bus_queue_messages{queue="metrics.depth",state="dead"}')).toBe(0);
    expect(value(text, 'bus_connected')).toBe(1);
  });

  it('still answers a scrape when the database is gone, leaving its gauges out', async () => {
    const gone = await createTestDatabase<BusTables>();
    const alone = new Registry();
    registerRuntimeMetrics(alone, { database: gone as unknown as Database, bus, logger });
    await gone.close();
    const text = await alone.metrics();
    expect(text).toContain('bus_connected 1');
  });
});
