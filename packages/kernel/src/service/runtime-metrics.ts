import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { ServiceRuntime } from './runtime.js';

/**
 * The metrics every service has besides HTTP timings, read at scrape time: how far its outbox is behind
 * (messages not yet published, age of the oldest — the lag an operator alerts on when the broker or a
 * consumer is away), the depth of the bus queues it consumes and their dead letters, and whether the bus
 * is connected. A scrape never fails because the database or the broker does not answer: the gauge is
 * left out of that scrape (and `up` stays 1, so the alert is the missing series, not a dead target).
 */
export function registerRuntimeMetrics(registry: Registry, runtime: Pick<ServiceRuntime, 'database' | 'bus' | 'logger'>) {
  const outbox = async () => {
    const { rows } = await sql<{ pending: number; oldest: number | null }>`
      select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as oldest
      from outbox where published_at is null`.execute(runtime.database.db);
    return rows[0]!;
  };
  const quietly = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      runtime.logger.debug({ err }, `metric ${what} not collected`);
    }
  };
  new Gauge({
    name: 'outbox_pending_messages',
    help: 'Messages committed to the outbox and not yet confirmed by the broker',
    registers: [registry],
    async collect() {
      await quietly('outbox_pending_messages', async () => this.set((await outbox()).pending));
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_seconds',
    help: 'Age of the oldest unpublished outbox message (0 when none): the outbox lag',
    registers: [registry],
    async collect() {
      await quietly('outbox_oldest_pending_seconds', async () => this.set((await outbox()).oldest ?? 0));
    },
  });
  new Gauge({
    name: 'bus_queue_messages',
    help: 'Messages waiting in the bus queues this service consumes (state=ready) and in their dead-letter queues (state=dead)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      await quietly('bus_queue_messages', async () => {
        this.reset();
        for (const d of await runtime.bus.queueDepths()) {
          this.set({ queue: d.queue, state: 'ready' }, d.ready);
          this.set({ queue: d.queue, state: 'dead' }, d.deadLetters);
        }
      });
    },
  });
  new Gauge({
    name: 'bus_connected',
    help: '1 while the bus is connected to the broker',
    registers: [registry],
    collect() {
      this.set(runtime.bus.isConnected() ? 1 : 0);
    },
  });
}
