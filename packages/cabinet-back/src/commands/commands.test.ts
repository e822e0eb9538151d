import { randomUUID } from 'node:crypto';
import { connected } from '../testing.js';
import { commandTopics, eventTopics, type ConsumerSnapshot, type LinkBySecret, type ReadingsProcessed, type SubmitReadings } from '@app/cabinet-contracts';
import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import type { CabinetBackDb } from '../tables.js';
import { createTestRuntime, loginWithTotp, testConfig, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBilling } from '../billing/fake-billing.js';
import { seedCabinetBackDemo, demoBackOfficeStaff } from '../demo.js';
import { cabinetBackMigrations } from '../migrations.js';
import { createCabinetBackApp } from '../server.js';
import { startCabinetBackWorkers } from '../workers.js';
import { COMMANDS_CONSUMER } from './context.js';

// The front is played by bus publishes that speak the published contract; billing by FakeBilling.
// The events the back produces are read from its outbox (publishing them is the relay's job, tested
// in relay.test.ts over the real bus).
describe('cabinet-back command handlers', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let billing: FakeBilling;
  let stop: () => Promise<void>;
  let app: HttpApp;
  const calls = { findContractForLink: 0 };

  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    billing = new FakeBilling();
    billing.addConsumer('100', 'D-100', 's3cret');
    billing.addConsumer('200', 'D-200', 'other');
    billing.addConsumer('300', 'D-300', 'third');
    const find = billing.findContractForLink.bind(billing);
    billing.findContractForLink = (...args) => {
      calls.findContractForLink += 1;
      return find(...args);
    };
    await connected(runtime.bus);
    stop = await startCabinetBackWorkers(runtime, billing, { sync: false, commands: { backoffMs: () => 100 }, now: () => new Date('2025-02-15T10:00:00Z') });
    await seedCabinetBackDemo(runtime.database, fastHashingForTests);
    app = await createCabinetBackApp(runtime, testConfig, { hashing: fastHashingForTests, billing, snapshot: { now: () => new Date('2025-02-15T10:00:00Z') } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await stop?.();
    await runtime?.close();
  });

  const db = () => (runtime.database as Database<CabinetBackDb>).db;
  const send = (topic: string, payload: unknown, id: string = randomUUID()) => runtime.bus.publish(topic, payload, { id }).then(() => id);
  const applied = (messageId: string) =>
    waitFor(async () => (await sql`select 1 from inbox where consumer = ${COMMANDS_CONSUMER} and message_id = ${messageId}`.execute(db())).rows.length > 0, { what: `command ${messageId} applied` });
  const outbox = async (topic?: string) => {
    const { rows } = await sql<{ topic: string; payload: unknown; message_id: string }>`select topic, payload, message_id from outbox order by id`.execute(db());
    return rows.filter((r) => !topic || r.topic === topic);
  };
  const eventsFor = async (topic: string, match: (payload: Record<string, unknown>) => boolean) =>
    (await outbox(topic)).map((r) => r.payload as Record<string, unknown>).filter(match);

  const linkBySecret = async (contractNumber: string, secret: string) => {
    const command: LinkBySecret = { commandId: randomUUID(), userRef: randomUUID(), contractNumber, secret };
    const id = await send(commandTopics.linkBySecret, command, command.commandId);
    await applied(id);
    return command;
  };

  it('links a contract by its secret: link.accepted, the full snapshot and 13 months of hourly data, in the outbox', async () => {
    const command = await linkBySecret('D-100', 's3cret');
    const [accepted] = await eventsFor(eventTopics.linkAccepted, (p) => p.commandId === command.commandId);
    expect(accepted).toEqual({ commandId: command.commandId, userRef: command.userRef, consumerRef: '100', contractNumber: 'D-100', via: 'secret' });
    const [snapshot] = (await eventsFor(eventTopics.consumerSnapshot, (p) => p.consumerRef === '100')) as unknown as ConsumerSnapshot[];
    expect(snapshot!.contracts.map((c) => c.number)).toEqual(['D-100']);
    expect(snapshot!.contracts[0]).not.toHaveProperty('secret');
    expect(snapshot!.invoices[0]!.pdfBase64).toBe(Buffer.from('%PDF-1.4 INV-100-1').toString('base64'));
    const profiles = await eventsFor(eventTopics.profileComputed, (p) => p.consumerRef === '100');
    // One message per point, kind and month, the newest month first (the current charts fill first): 2025-02 … 2024-02.
    const months = (list: Array<Record<string, unknown>>) => list.map((p) => (p.days as Array<{ date: string }>)[0]!.date.slice(0, 7));
    expect(months(profiles)).toEqual([
      '2025-02', '2025-01', '2024-12', '2024-11', '2024-10', '2024-09', '2024-08', '2024-07', '2024-06', '2024-05', '2024-04', '2024-03', '2024-02',
    ]);
    expect(profiles[0]).toMatchObject({ meteringPointId: 'MP-100', kind: 'profile', version: snapshot!.version });
    // In the outbox (the order the relay publishes), the current month comes right after the snapshot.
    const sent = (await outbox()).filter((r) => (r.payload as { consumerRef?: string }).consumerRef === '100');
    const at = sent.findIndex((r) => r.topic === eventTopics.consumerSnapshot);
    expect(sent[at + 1]).toMatchObject({ topic: eventTopics.profileComputed });
    expect(months([sent[at + 1]!.payload as Record<string, unknown>])).toEqual(['2025-02']);
    const linked = await db().selectFrom('linked_consumers').selectAll().where('consumer_ref', '=', '100').executeTakeFirst();
    expect(linked?.covered_version).toBe(BigInt(snapshot!.version));
  });

  it('rejects a link with a wrong secret and links nothing', async () => {
    const command = await linkBySecret('D-200', 'guess');
    expect(await eventsFor(eventTopics.linkRejected, (p) => p.commandId === command.commandId)).toEqual([
      { commandId: command.commandId, userRef: command.userRef, contractNumber: 'D-200', code: 'secret_mismatch', message: 'The secret does not match the contract' },
    ]);
    expect(await eventsFor(eventTopics.consumerSnapshot, (p) => p.consumerRef === '200')).toEqual([]);
    expect(await db().selectFrom('linked_consumers').select('consumer_ref').where('consumer_ref', '=', '200').execute()).toEqual([]);
  });

  it('rejects a link to a contract billing does not know', async () => {
    const command = await linkBySecret('D-999', 'x');
    expect(await eventsFor(eventTopics.linkRejected, (p) => p.commandId === command.commandId)).toMatchObject([{ code: 'contract_not_found' }]);
  });

  const readings = (meterId: string, values: Array<[zone: string, value: string]>): SubmitReadings => ({
    submissionId: randomUUID(),
    userRef: randomUUID(),
    consumerRef: '100',
    readings: values.map(([zone, value]) => ({ readingId: randomUUID(), meterId, zone, date: '2025-02-14', value })),
  });

  it('hands readings to billing and publishes each outcome, accepted or rejected with its reason', async () => {
    const command = readings('M-100', [
      ['day', '1100'],
      ['night', '400'],
    ]);
    await applied(await send(commandTopics.submitReadings, command));
    const [processed] = (await eventsFor(eventTopics.readingsProcessed, (p) => p.submissionId === command.submissionId)) as unknown as ReadingsProcessed[];
    expect(processed!.consumerRef).toBe('100');
    expect(processed!.readings).toMatchObject([
      { readingId: command.readings[0]!.readingId, status: 'accepted', consumptionKwh: '100', zone: 'day', value: '1100' },
      { readingId: command.readings[1]!.readingId, status: 'rejected', reasonCode: 'reading_below_previous' },
    ]);
    expect(await eventsFor(eventTopics.accountChanged, (p) => p.version === processed!.version)).toMatchObject([{ consumerRef: '100', account: { contractId: 'C-100' } }]);
    expect(await eventsFor(eventTopics.profileComputed, (p) => p.version === processed!.version)).toMatchObject([{ meteringPointId: 'MP-100', kind: 'profile' }]);
  });

  it('applies a command delivered twice once: billing enters the readings once, one set of events', async () => {
    const command = readings('M-100', [['day', '1200']]);
    const before = billing.readingsEntered;
    const id = randomUUID();
    await send(commandTopics.submitReadings, command, id);
    await send(commandTopics.submitReadings, command, id);
    await applied(id);
    // A second copy under another message id (the front re-sent it) is answered by billing's idempotency.
    const other = await send(commandTopics.submitReadings, command);
    await applied(other);
    expect(billing.readingsEntered - before).toBe(1);
    const events = await eventsFor(eventTopics.readingsProcessed, (p) => p.submissionId === command.submissionId);
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual(events[0]);
    const fromFirst = await sql<{ n: string }>`select count(*)::text as n from outbox where payload->>'submissionId' = ${command.submissionId}`.execute(db());
    expect(fromFirst.rows[0]!.n).toBe('2');
  });

  it('survives a crash between billing and its own commit: the retry gets billing’s first answer, events once', async () => {
    // The back's transaction fails once after billing took the readings (a sequence is not rolled back).
    await sql
      .raw(
        `create sequence crash_once;
         create function crash_once() returns trigger language plpgsql as $$
         begin
           if new.topic = 'cabinet.evt.readings.processed' and nextval('crash_once') = 1 then raise exception 'simulated crash'; end if;
           return new;
         end $$;
         create trigger crash_once before insert on outbox for each row execute function crash_once();`,
      )
      .execute(db());
    try {
      const command = readings('M-100', [['night', '600']]);
      const before = billing.readingsEntered;
      await applied(await send(commandTopics.submitReadings, command));
      expect(billing.readingsEntered - before).toBe(1);
      const events = await eventsFor(eventTopics.readingsProcessed, (p) => p.submissionId === command.submissionId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ readings: [{ status: 'accepted', consumptionKwh: '100' }] });
    } finally {
      await sql.raw('drop trigger crash_once on outbox; drop function crash_once(); drop sequence crash_once;').execute(db());
    }
  });

  it('refuses readings for a consumer nobody linked (kept as a dead command)', async () => {
    const command = { ...readings('M-300', [['day', '2000']]), consumerRef: '300' };
    const id = await send(commandTopics.submitReadings, command);
    const dead = await waitFor(() => db().selectFrom('dead_commands').selectAll().where('message_id', '=', id).executeTakeFirst());
    expect(dead.errors).toEqual([{ code: 'consumer_not_linked', message: 'Consumer 300 is not linked to the cabinet' }]);
  });

  it('dead-letters a command whose payload breaks the contract, without retrying it', async () => {
    const id = await send(commandTopics.linkBySecret, { commandId: randomUUID(), contractNumber: '', secret: 'x' });
    const dead = await waitFor(() => db().selectFrom('dead_commands').selectAll().where('message_id', '=', id).executeTakeFirst());
    expect(dead.topic).toBe(commandTopics.linkBySecret);
    expect((dead.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(expect.arrayContaining(['/contractNumber', '/userRef']));
  });

  it('retries a command while billing is down and applies it once when billing returns', async () => {
    billing.down = true;
    const before = calls.findContractForLink;
    const command: LinkBySecret = { commandId: randomUUID(), userRef: randomUUID(), contractNumber: 'D-100', secret: 's3cret' };
    await send(commandTopics.linkBySecret, command, command.commandId);
    await waitFor(() => calls.findContractForLink - before >= 3, { what: 'retries while billing is down' });
    expect(await eventsFor(eventTopics.linkAccepted, (p) => p.commandId === command.commandId)).toEqual([]);
    billing.down = false;
    await applied(command.commandId);
    expect(await eventsFor(eventTopics.linkAccepted, (p) => p.commandId === command.commandId)).toHaveLength(1);
  });

  describe('link requests in the back office', () => {
    const loginAs = async (login: string) => {
      const user = demoBackOfficeStaff.find((u) => u.login === login)!;
      const res = await loginWithTotp(app, { login, password: user.password });
      return { cookies: res.cookies, headers: { 'x-csrf-token': res.csrf } };
    };
    const request = async (contractNumber: string) => {
      const commandId = randomUUID();
      const userRef = randomUUID();
      await applied(await send(commandTopics.linkByRequest, { commandId, userRef, contractNumber, applicantName: 'ООО «Ромашка»', taxId: '7701234567' }, commandId));
      const row = await db().selectFrom('link_requests').selectAll().where('command_id', '=', commandId).executeTakeFirstOrThrow();
      return { commandId, userRef, id: row.id };
    };

    it('queues the request; an employee sees it with billing’s view of the contract and confirms it', async () => {
      const req = await request('D-200');
      const session = await loginAs('employee');
      const list = await app.inject({ method: 'GET', url: '/api/back-office/link-requests?status=new', ...session });
      expect(list.statusCode).toBe(200);
      expect(list.json().items).toContainEqual(expect.objectContaining({ id: req.id, contractNumber: 'D-200', applicantName: 'ООО «Ромашка»', status: 'new' }));
      const view = await app.inject({ method: 'GET', url: `/api/back-office/link-requests/${req.id}`, ...session });
      expect(view.json().billing).toEqual({ found: true, consumerRef: '200', contractNumber: 'D-200', consumerName: 'Consumer 200', taxId: '7701234567', contractStatus: 'active' });

      const confirm = await app.inject({ method: 'POST', url: `/api/back-office/link-requests/${req.id}/confirm`, payload: { note: 'checked by phone' }, ...session });
      expect(confirm.statusCode).toBe(200);
      expect(confirm.json()).toEqual({ id: req.id, status: 'confirmed', consumerRef: '200' });
      expect(await eventsFor(eventTopics.linkAccepted, (p) => p.commandId === req.commandId)).toEqual([
        { commandId: req.commandId, userRef: req.userRef, consumerRef: '200', contractNumber: 'D-200', via: 'request' },
      ]);
      expect(await eventsFor(eventTopics.consumerSnapshot, (p) => p.consumerRef === '200')).toHaveLength(1);
      const audit = await sql<{ actor_login: string; action: string }>`select actor_login, action from audit_log where target_id = ${req.id}`.execute(db());
      expect(audit.rows).toEqual([{ actor_login: 'employee', action: 'link_request.confirm' }]);

      const again = await app.inject({ method: 'POST', url: `/api/back-office/link-requests/${req.id}/confirm`, payload: {}, ...session });
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('request_already_decided');
    });

    it('declines a request: the applicant gets link.rejected request_declined with the reason', async () => {
      const req = await request('D-300');
      const session = await loginAs('supervisor');
      const res = await app.inject({ method: 'POST', url: `/api/back-office/link-requests/${req.id}/decline`, payload: { reason: 'The applicant is not the contract holder' }, ...session });
      expect(res.statusCode).toBe(200);
      expect(await eventsFor(eventTopics.linkRejected, (p) => p.commandId === req.commandId)).toEqual([
        { commandId: req.commandId, userRef: req.userRef, contractNumber: 'D-300', code: 'request_declined', message: 'The applicant is not the contract holder' },
      ]);
    });

    it('refuses the queue to staff without the employee role, and to anonymous callers', async () => {
      const req = await request('D-300');
      const admin = await loginAs('admin');
      const res = await app.inject({ method: 'POST', url: `/api/back-office/link-requests/${req.id}/confirm`, payload: {}, ...admin });
      expect(res.statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url: '/api/back-office/link-requests' })).statusCode).toBe(401);
      const row = await db().selectFrom('link_requests').select('status').where('id', '=', req.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('new');
    });

    it('answers 503 to a confirmation while billing is down, and leaves the request waiting', async () => {
      const req = await request('D-300');
      const session = await loginAs('employee');
      billing.down = true;
      try {
        const view = await app.inject({ method: 'GET', url: `/api/back-office/link-requests/${req.id}`, ...session });
        expect(view.json().billing).toMatchObject({ found: null, code: 'billing_unavailable' });
        const res = await app.inject({ method: 'POST', url: `/api/back-office/link-requests/${req.id}/confirm`, payload: {}, ...session });
        expect(res.statusCode).toBe(503);
        expect(res.json().code).toBe('billing_unavailable');
      } finally {
        billing.down = false;
      }
    });

    it('declares access on every back-office route', () => {
      const routes = app.routeTable().filter((r) => r.url.startsWith('/api/back-office/link-requests'));
      expect(routes).toHaveLength(4);
      expect(routes.every((r) => typeof r.access === 'object' && r.access.roles.includes('employee'))).toBe(true);
    });
  });
});
