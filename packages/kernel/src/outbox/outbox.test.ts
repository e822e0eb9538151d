import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/database.js';
import { createLogger } from '../log/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';
import type { Bus, PublishOptions } from '../bus/bus.js';
import { InProcessBus } from '../bus/in-process-bus.js';
import { claimDue } from './outbox.repo.js';
import { enqueueMessage, OutboxRelay, prunePublished } from './outbox.js';
import type { BusTables } from './tables.js';

const logger = createLogger({ service: 'test', level: process.env.LOG_LEVEL ?? 'silent' });

interface Published {
  topic: string;
  payload: unknown;
  options: PublishOptions;
}

/** A bus that records what it is asked to publish, and fails when the test says so. */
function recordingBus(failWhen: (topic: string, payload: unknown) => boolean = () => false) {
  const published: Published[] = [];
  const bus: Pick<Bus, 'publish'> = {
    async publish(topic, payload, options = {}) {
      if (failWhen(topic, payload)) throw new Error('broker said no');
      published.push({ topic, payload, options });
    },
  };
  return { bus, published };
}

describe('outbox', () => {
  let database: TestDatabase<BusTables>;

  beforeAll(async () => {
    database = await createTestDatabase<BusTables>();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await sql`delete from outbox`.execute(database.db);
  });

  const pendingCount = async () =>
    Number((await sql<{ n: number }>`select count(*)::int as n from outbox where published_at is null`.execute(database.db)).rows[0]!.n);

  it('publishes a committed message with its id, headers and the time it was enqueued', async () => {
    const { bus, published } = recordingBus();
    const id = randomUUID();
    await database.transaction((trx) => enqueueMessage(trx, 'cabinet.readings.submitted', [{ meter: 'M1', value: 10 }], { id, headers: { 'request-id': 'r1' } }));
    const row = await database.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();

    const round = await new OutboxRelay({ database, bus, logger }).relayOnce();

    expect(round).toEqual({ claimed: 1, published: 1, failed: 0 });
    expect(published).toEqual([
      {
        topic: 'cabinet.readings.submitted',
        payload: [{ meter: 'M1', value: 10 }],
        options: { id, headers: { 'request-id': 'r1' }, occurredAt: row.created_at.toISOString(), mandatory: true },
      },
    ]);
    expect(await pendingCount()).toBe(0);
  });

  it('keeps a message no queue takes yet and sends it once its consumer has declared its queue', async () => {
    // A fresh broker or in-process bus: the consumer (the back) has not subscribed yet.
    const bus = new InProcessBus({ logger });
    const relay = new OutboxRelay({ database, bus, logger, backoffMs: () => 0 });
    await database.transaction((trx) => enqueueMessage(trx, 'cabinet.cmd.readings.submit', { n: 1 }));
    expect(await relay.relayOnce()).toMatchObject({ claimed: 1, published: 0, failed: 1 });
    expect(await pendingCount()).toBe(1);
    const got: unknown[] = [];
    await bus.subscribe('cabinet-back.commands', ['cabinet.cmd.#'], async (m) => void got.push(m.payload));
    expect(await relay.relayOnce()).toMatchObject({ published: 1 });
    await waitFor(() => got.length === 1, { what: 'the kept command' });
    expect(got).toEqual([{ n: 1 }]);
    await bus.close();
  });

  it('never publishes a message enqueued in a transaction that rolled back', async () => {
    const { bus, published } = recordingBus();
    await expect(
      database.transaction(async (trx) => {
        await enqueueMessage(trx, 'cabinet.request.created', { n: 1 });
        throw new Error('business rule failed after enqueue');
      }),
    ).rejects.toThrow('business rule failed');

    expect(await new OutboxRelay({ database, bus, logger }).relayOnce()).toEqual({ claimed: 0, published: 0, failed: 0 });
    expect(published).toEqual([]);
  });

  it('retries a failed publish later, holding back the later messages of its topic', async () => {
    let brokerDown = true;
    const { bus, published } = recordingBus((topic) => brokerDown && topic === 'a.first');
    const relay = new OutboxRelay({ database, bus, logger, backoffMs: () => 50 });
    await enqueueMessage(database.db, 'a.first', { n: 1 });
    await enqueueMessage(database.db, 'a.first', { n: 2 });
    await enqueueMessage(database.db, 'b.other', { n: 3 });

    expect(await relay.relayOnce()).toEqual({ claimed: 3, published: 1, failed: 1 });
    expect(published.map((p) => p.payload)).toEqual([{ n: 3 }]);
    const failed = await database.db.selectFrom('outbox').selectAll().where('topic', '=', 'a.first').orderBy('id').execute();
    expect(failed.map((r) => [r.attempts, r.last_error])).toEqual([
      [1, 'Error: broker said no'],
      [0, null],
    ]);

    brokerDown = false;
    await waitFor(async () => (await relay.relayOnce(), (await pendingCount()) === 0), { what: 'retried messages published' });
    expect(published.map((p) => p.payload)).toEqual([{ n: 3 }, { n: 1 }, { n: 2 }]);
  });

  it('publishes each message exactly once with two relays running at the same time', async () => {
    // A second connection stands for a second instance of the service (on PGlite: the same database).
    const other: Database<BusTables> = database.url ? await createDatabase<BusTables>({ url: database.url, poolSize: 3 }) : database;
    const { bus, published } = recordingBus();
    const topics = ['t.one', 't.two', 't.three', 't.four'];
    const ids: string[] = [];
    for (let n = 0; n < 200; n++) {
      ids.push(await enqueueMessage(database.db, topics[n % topics.length]!, { n }));
    }
    const relays = [
      new OutboxRelay({ database, bus, logger, batchSize: 7, pollIntervalMs: 10 }),
      new OutboxRelay({ database: other, bus, logger, batchSize: 7, pollIntervalMs: 10 }),
    ];
    relays.forEach((r) => r.start());
    try {
      await waitFor(async () => (await pendingCount()) === 0, { what: 'all published', timeoutMs: 20_000 });
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      if (other !== database) await other.close();
    }
    const publishedIds = published.map((p) => p.options.id);
    expect(publishedIds).toHaveLength(200);
    expect(new Set(publishedIds)).toEqual(new Set(ids));
  });

  it('keeps the order of a topic within one relay', async () => {
    const { bus, published } = recordingBus();
    for (let n = 0; n < 30; n++) await enqueueMessage(database.db, n % 2 ? 'odd.numbers' : 'even.numbers', { n });
    const relay = new OutboxRelay({ database, bus, logger, batchSize: 4 });
    while ((await relay.relayOnce()).claimed > 0);
    const order = (topic: string) => published.filter((p) => p.topic === topic).map((p) => (p.payload as { n: number }).n);
    expect(order('even.numbers')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]);
    expect(order('odd.numbers')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29]);
  });

  it('publishes right after a nudge, without waiting for the next poll', async () => {
    const { bus, published } = recordingBus();
    const relay = new OutboxRelay({ database, bus, logger, pollIntervalMs: 60_000 });
    await enqueueMessage(database.db, 'cabinet.payment.booked', { amount: '1' });
    relay.start();
    try {
      // After its first round the relay sleeps for a minute.
      await waitFor(() => published.length === 1, { what: 'first round' });
      await database.transaction((trx) => enqueueMessage(trx, 'cabinet.payment.booked', { amount: '2' }));
      relay.nudge();
      await waitFor(() => published.length === 2, { what: 'nudged publish', timeoutMs: 5_000 });
    } finally {
      await relay.stop();
    }
  });

  it('gives a batch claimed by a relay that died to another relay once its lease is over', async () => {
    const { bus, published } = recordingBus();
    await enqueueMessage(database.db, 'x.leased', { n: 1 });
    // A relay claims the message and dies before publishing it.
    expect(await claimDue(database.db, 10, 100)).toHaveLength(1);
    const survivor = new OutboxRelay({ database, bus, logger });
    expect((await survivor.relayOnce()).claimed).toBe(0);
    await waitFor(async () => (await survivor.relayOnce()).published === 1, { what: 'lease expiry' });
    expect(published).toHaveLength(1);
  });

  it('prunes published messages older than a given time', async () => {
    const { bus } = recordingBus();
    await enqueueMessage(database.db, 'x.old', {});
    await enqueueMessage(database.db, 'x.pending', {}, {});
    await new OutboxRelay({ database, bus, logger, batchSize: 1 }).relayOnce();
    expect(await prunePublished(database.db, new Date(Date.now() + 60_000))).toBe(1n);
    expect(await pendingCount()).toBe(1);
  });
});
