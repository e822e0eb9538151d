import { randomUUID } from 'node:crypto';
import { commandTopics, paymentTopics, type LinkBySecret, type RegisterPayment } from '@app/cabinet-contracts';
import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, loginWithTotp, testConfig, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBilling } from '../billing/fake-billing.js';
import { COMMANDS_CONSUMER } from '../commands/context.js';
import { seedCabinetBackDemo } from '../demo.js';
import { cabinetBackMigrations } from '../migrations.js';
import { createCabinetBackApp } from '../server.js';
import { connected } from '../testing.js';
import { startCabinetBackWorkers } from '../workers.js';

// The front is played by bus publishes of the published contract, billing by FakeBilling: two card
// payments are registered (one booked, one refused by billing), and the back office lists both as the
// back answered them; a role without the employee's rights is refused.
describe('back-office payments list', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let stop: () => Promise<void>;
  let app: HttpApp;

  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    const billing = new FakeBilling();
    billing.addConsumer('100', 'D-100', 's3cret');
    await connected(runtime.bus);
    stop = await startCabinetBackWorkers(runtime, billing, { sync: false, commands: { backoffMs: () => 100 } });
    await seedCabinetBackDemo(runtime.database, fastHashingForTests);
    app = await createCabinetBackApp(runtime, testConfig, { hashing: fastHashingForTests, billing });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await stop?.();
    await runtime?.close();
  });

  const applied = (messageId: string) =>
    waitFor(async () => (await sql`select 1 from inbox where consumer = ${COMMANDS_CONSUMER} and message_id = ${messageId}`.execute(runtime.database.db)).rows.length > 0, { what: `command ${messageId} applied` });
  const send = async (topic: string, payload: unknown, id: string) => {
    await runtime.bus.publish(topic, payload, { id });
    await applied(id);
  };
  const login = async (who: string, ip: string) => {
    const { cookies } = await loginWithTotp(app, { login: who, password: 'BackOffice-2026!' }, { remoteAddress: ip });
    return (url: string) => app.inject({ method: 'GET', url, cookies });
  };

  it('lists booked and refused card payments, newest first, filtered by status and paged; admin alone is refused', async () => {
    const link: LinkBySecret = { commandId: randomUUID(), userRef: randomUUID(), contractNumber: 'D-100', secret: 's3cret' };
    await send(commandTopics.linkBySecret, link, link.commandId);
    const payment = (contractId: string, amount: string): RegisterPayment => ({ orderId: randomUUID(), userRef: link.userRef, consumerRef: '100', contractId, amount, paidOn: '2026-03-01', externalRef: `tbank:${randomUUID()}`, invoiceIds: [] });
    const good = payment('C-100', '150000');
    const wrong = payment('C-999', '2500');
    await send(paymentTopics.register, good, good.orderId);
    await send(paymentTopics.register, wrong, wrong.orderId);

    const employee = await login('employee', '10.9.0.1');
    const all = await employee('/api/back-office/payments');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toMatchObject({ total: 2, items: [
      { orderId: wrong.orderId, status: 'refused', amount: '2500', code: 'contract_not_found', paymentId: null, contractId: null },
      { orderId: good.orderId, status: 'booked', amount: '150000', consumerRef: '100', contractId: 'C-100', paidOn: '2026-03-01', code: null },
    ] });
    expect(all.json().items[1].paymentId).toMatch(/^PAY-/);
    expect(all.json().items[1].document).toContain(good.externalRef);

    const booked = (await employee('/api/back-office/payments?status=booked')).json();
    expect(booked.items.map((p: { orderId: string }) => p.orderId)).toEqual([good.orderId]);
    const second = (await employee('/api/back-office/payments?limit=1&offset=1')).json();
    expect(second).toMatchObject({ total: 2, items: [{ orderId: good.orderId }] });
    expect((await employee('/api/back-office/payments?status=lost')).json()).toMatchObject({ code: 'validation_failed' });

    const admin = await login('admin', '10.9.0.2');
    const refused = await admin('/api/back-office/payments');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'forbidden' });
  });
});
