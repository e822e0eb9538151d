import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { consumeOnce } from '../outbox/inbox.js';
import { enqueueMessage, OutboxRelay } from '../outbox/outbox.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { waitFor } from '../testing/wait-for.js';
import type { Message, Subscription } from './bus.js';
import { RabbitMqBus } from './rabbitmq-bus.js';

const amqpUrl = process.env.AMQP_URL;

interface Tables {
  applied_readings: { message_id: string; value: number };
}

/**
 * The promise of DESIGN.md §1 end to end: a message committed while RabbitMQ is unreachable is
 * published after it comes back and applied exactly once. The broker is taken away by a TCP proxy
 * (every connection cut, new ones refused), so the shared server keeps running for other suites.
 */
describe.skipIf(!amqpUrl)('RabbitMQ outage', () => {
  const logger = createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' });
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const queue = 'outage.readings';
  const topic = 'cabinet.readings.submitted';
  let proxy: TcpProxy;
  let database: TestDatabase<Tables>;
  let publisher: RabbitMqBus;
  let consumer: RabbitMqBus;
  let impatient: RabbitMqBus;
  let relayPublishCalls = 0;
  let relay: OutboxRelay<Tables>;
  let subscription: Subscription;
  const deliveries: Message<{ value: number }>[] = [];

  beforeAll(async () => {
    const target = new URL(amqpUrl!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) });
    database = await createTestDatabase<Tables>();
    await sql`create table applied_readings (message_id uuid not null, value integer not null)`.execute(database.db);
    const options = { url: proxy.url(amqpUrl!), logger, prefix, reconnectDelayMs: 100, publishTimeoutMs: 20_000 };
    publisher = new RabbitMqBus({ ...options, service: 'outage-publisher' });
    consumer = new RabbitMqBus({ ...options, service: 'outage-consumer' });
    impatient = new RabbitMqBus({ ...options, service: 'outage-impatient', publishTimeoutMs: 300 });
    await Promise.all([publisher.waitForConnect(), consumer.waitForConnect(), impatient.waitForConnect()]);
    subscription = await consumer.subscribe<{ value: number }>(queue, [topic], async (message) => {
      deliveries.push(message);
      await consumeOnce(database, 'outage-test', message, async (trx) => {
        await trx.insertInto('applied_readings').values({ message_id: message.id, value: message.payload.value }).execute();
      });
    });
    const countingBus = {
      publish: (...args: Parameters<RabbitMqBus['publish']>) => {
        relayPublishCalls++;
        return publisher.publish(...args);
      },
    };
    relay = new OutboxRelay({ database, bus: countingBus, logger, pollIntervalMs: 200, backoffMs: () => 200 });
    relay.start();
  });

  afterAll(async () => {
    await relay?.stop();
    await subscription?.close();
    proxy?.restore();
    await publisher?.waitForConnect().catch(() => undefined);
    await publisher?.deleteTopology({ queues: [queue], exchanges: true }).catch(() => undefined);
    await Promise.allSettled([publisher?.close(), consumer?.close(), impatient?.close()]);
    await proxy?.close();
    await database?.close();
  });

  const applied = async () => database.db.selectFrom('applied_readings').selectAll().execute();

  it('delivers a message committed while RabbitMQ was unreachable after it comes back, applied exactly once', async () => {
    await database.transaction((trx) => enqueueMessage(trx, topic, { value: 1 }));
    relay.nudge();
    await waitFor(async () => (await applied()).length === 1, { what: 'message before the outage' });

    proxy.cut();
    await waitFor(() => !publisher.isConnected() && !consumer.isConnected(), { what: 'both buses disconnected' });
    const id = await database.transaction((trx) => enqueueMessage(trx, topic, { value: 2 }));
    relay.nudge();
    // Hold the outage until the relay is publishing and the buses have been refused reconnecting.
    await waitFor(() => relayPublishCalls >= 2 && proxy.refused >= 3, { what: 'publish and reconnects during the outage' });
    const { rows: outbox } = await sql<{ published_at: Date | null }>`select published_at from outbox where message_id = ${id}`.execute(database.db);
    expect(outbox).toEqual([{ published_at: null }]);
    // A publish that cannot be confirmed in time fails plainly, never reports success.
    await expect(impatient.publish(topic, { value: 99 })).rejects.toMatchObject({ code: 'bus_unavailable', status: 503 });

    proxy.restore();
    await waitFor(async () => (await applied()).length === 2, { what: 'message after recovery', timeoutMs: 20_000 });

    // The relay crashing after a publish but before marking it would publish it again: the inbox
    // must absorb the duplicate.
    await publisher.publish(topic, { value: 2 }, { id });
    await waitFor(() => deliveries.filter((m) => m.id === id).length >= 2, { what: 'duplicate delivery' });
    const rows = await applied();
    expect(rows.map((r) => r.value).sort()).toEqual([1, 2]);
    expect(rows.filter((r) => r.message_id === id)).toHaveLength(1);
  });
});
