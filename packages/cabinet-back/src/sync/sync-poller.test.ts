import { randomUUID } from 'node:crypto';
import { backStatusTopic, commandTopics, eventTopics, type BackStatus, type LinkBySecret, type PaymentBooked } from '@app/cabinet-contracts';
import { startOutboxRelay, type Database, type Message } from '@app/kernel';
import type { CabinetBackDb } from '../tables.js';
import { createTestRuntime, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBilling } from '../billing/fake-billing.js';
import { cabinetBackMigrations } from '../migrations.js';
import { connected } from '../testing.js';
import { createBackContext, startCabinetBackWorkers } from '../workers.js';
import { syncOnce } from './sync-poller.js';

// Over the real bus when AMQP_URL is set: commands in, events out through the back's outbox relay,
// received by a queue that plays the front.
describe('cabinet-back incremental sync and publishing', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let billing: FakeBilling;
  let stopWorkers: () => Promise<void>;
  let stopRelay: () => Promise<void>;
  const received: Message[] = [];
  let front: { close(): Promise<void> };
  const now = () => new Date('2025-02-15T10:00:00Z');

  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    await connected(runtime.bus);
    billing = new FakeBilling();
    billing.addConsumer('100', 'D-100', 's3cret');
    billing.addConsumer('200', 'D-200', 'other');
    front = await runtime.bus.subscribe('cabinet-front.events', ['cabinet.evt.#'], async (m) => {
      received.push(m);
    });
    const relay = startOutboxRelay(runtime);
    stopRelay = () => relay.stop();
    // The poller is driven by hand below (syncOnce); its timer is tested by the last case.
    stopWorkers = await startCabinetBackWorkers(runtime, billing, { sync: false, nudge: () => relay.nudge(), now, historyMonths: 2 });
  });
  afterAll(async () => {
    await stopWorkers?.();
    await stopRelay?.();
    await front?.close();
    await runtime?.close();
  });

  const ctx = () => createBackContext(runtime, billing, { now, historyMonths: 2 });
  const receivedOf = <T>(topic: string) => received.filter((m) => m.topic === topic).map((m) => m.payload as T);

  it('delivers a link decision and the snapshot to the front through the outbox relay and the bus', async () => {
    const command: LinkBySecret = { commandId: randomUUID(), userRef: randomUUID(), contractNumber: 'D-100', secret: 's3cret' };
    await runtime.bus.publish(commandTopics.linkBySecret, command, { id: command.commandId });
    await waitFor(() => receivedOf(eventTopics.consumerSnapshot).length === 1 && receivedOf(eventTopics.linkAccepted).length === 1, { what: 'link events on the bus' });
    expect(receivedOf(eventTopics.linkAccepted)).toEqual([{ commandId: command.commandId, userRef: command.userRef, consumerRef: '100', contractNumber: 'D-100', via: 'secret' }]);
    // 2 months of history: 2025-01 and 2025-02.
    await waitFor(() => receivedOf(eventTopics.profileComputed).length === 2, { what: 'hourly data' });
  });

  it('publishes a payment booked directly in billing for a linked consumer only', async () => {
    const first = await syncOnce(ctx()); // catches up with what the snapshot already holds
    expect(first.committed).toBe(true);
    const paymentVersion = String(billing.version + 1);
    const mine = billing.bookPayment('100', '50000');
    billing.bookPayment('200', '70000'); // consumer 200 is not linked
    const round = await syncOnce(ctx());
    expect(round).toMatchObject({ committed: true, to: String(billing.version) });
    await waitFor(() => receivedOf(eventTopics.paymentBooked).length >= 1 && receivedOf(eventTopics.accountChanged).length >= 1, { what: 'payment events' });
    expect(receivedOf<PaymentBooked>(eventTopics.paymentBooked)).toEqual([{ consumerRef: '100', version: paymentVersion, payment: mine }]);
    expect(receivedOf(eventTopics.accountChanged)).toEqual([expect.objectContaining({ consumerRef: '100', account: expect.objectContaining({ contractId: 'C-100', debt: '73400' }) })]);
    // Nothing more to do: the watermark stays.
    expect(await syncOnce(ctx())).toMatchObject({ changes: 0, events: 0 });
    const state = await (runtime.database as Database<CabinetBackDb>).db.selectFrom('sync_state').select('version').executeTakeFirstOrThrow();
    expect(state.version).toBe(BigInt(billing.version));
  });

  it('lets one of two concurrent rounds commit a change, so it is published once', async () => {
    billing.bookPayment('100', '100');
    const rounds = await Promise.all([syncOnce(ctx()), syncOnce(ctx())]);
    expect(rounds.filter((r) => r.committed && r.events > 0)).toHaveLength(1);
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from outbox where topic = ${eventTopics.paymentBooked} and payload->'payment'->>'amount' = '100'`.execute(runtime.database.db);
    expect(rows[0]!.n).toBe('1');
  });

  it('keeps the watermark while billing is down and catches up when it returns', async () => {
    billing.bookPayment('100', '200');
    billing.down = true;
    await expect(syncOnce(ctx())).rejects.toMatchObject({ code: 'billing_unavailable' });
    billing.down = false;
    const round = await syncOnce(ctx());
    expect(round.committed).toBe(true);
    await waitFor(() => receivedOf<PaymentBooked>(eventTopics.paymentBooked).some((p) => p.payment.amount === '200'), { what: 'payment after outage' });
  });

  it('sends a fresh snapshot to a consumer whose covered version fell behind the watermark', async () => {
    await sql`update linked_consumers set covered_version = 0 where consumer_ref = '100'`.execute(runtime.database.db);
    const snapshots = receivedOf(eventTopics.consumerSnapshot).length;
    billing.bookPayment('100', '300');
    const round = await syncOnce(ctx());
    expect(round.committed).toBe(true);
    await waitFor(() => receivedOf(eventTopics.consumerSnapshot).length === snapshots + 1, { what: 'resnapshot' });
    const covered = await (runtime.database as Database<CabinetBackDb>).db.selectFrom('linked_consumers').select('covered_version').where('consumer_ref', '=', '100').executeTakeFirstOrThrow();
    expect(covered.covered_version).toBe(BigInt(billing.version));
  });

  it('answers the status request with billing’s real state', async () => {
    expect(await runtime.bus.request<BackStatus>(backStatusTopic, {})).toMatchObject({ service: 'cabinet-back', billing: 'online' });
    billing.down = true;
    try {
      expect(await runtime.bus.request<BackStatus>(backStatusTopic, {})).toMatchObject({ billing: 'offline' });
    } finally {
      billing.down = false;
    }
  });

  it('polls on its own when the poller runs', async () => {
    const stop = await startCabinetBackWorkers(runtime, billing, { status: false, syncIntervalMs: 50, now, historyMonths: 2, commands: {} });
    try {
      billing.bookPayment('100', '400');
      await waitFor(() => receivedOf<PaymentBooked>(eventTopics.paymentBooked).some((p) => p.payment.amount === '400'), { what: 'polled payment' });
    } finally {
      await stop();
    }
  });
});
