import { createHash, randomUUID } from 'node:crypto';
import { applicationCommandTopics, requestCommandTopics, signatureCommandTopics, type DocumentSigned } from '@app/cabinet-contracts';
import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, loginWithTotp, testConfig, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeBilling } from '../billing/fake-billing.js';
import { COMMANDS_CONSUMER } from '../commands/context.js';
import { seedCabinetBackDemo } from '../demo.js';
import { cabinetBackMigrations } from '../migrations.js';
import { createCabinetBackApp } from '../server.js';
import type { CabinetBackDb } from '../tables.js';
import { connected } from '../testing.js';
import { startCabinetBackWorkers } from '../workers.js';

/**
 * The back office's queues through its HTTP API, the front played by bus publishes: roles, paging and
 * filters, the status rules (a withdrawn application gets no contract, a signed one is not rejected),
 * bad files refused naming the field, and a signature over another document than the one issued kept
 * as a dead command.
 */
describe('back office: applications, requests, documents, signatures', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let stop: () => Promise<void>;
  let app: HttpApp;
  const db = () => (runtime.database as Database<CabinetBackDb>).db;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
  type Call = (method: 'GET' | 'POST', url: string, payload?: unknown) => Promise<{ statusCode: number; json: () => any; body: string; rawPayload: Buffer }>;
  let employee: Call;
  let admin: Call;
  let billing: FakeBilling;

  beforeAll(async () => {
    runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    await connected(runtime.bus);
    billing = new FakeBilling();
    stop = await startCabinetBackWorkers(runtime, billing, { sync: false, status: false, commands: { backoffMs: () => 100 } });
    await seedCabinetBackDemo(runtime.database, fastHashingForTests);
    app = await createCabinetBackApp(runtime, testConfig, { hashing: fastHashingForTests, billing });
    await app.ready();
    const login = async (name: string): Promise<Call> => {
      const { cookies, csrf } = await loginWithTotp(app, { login: name, password: 'BackOffice-2026!' });
      return (method, url, payload) => app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    };
    employee = await login('employee');
    admin = await login('admin');
  });
  afterAll(async () => {
    await app?.close();
    await stop?.();
    await runtime?.close();
  });

  const applied = (messageId: string) =>
    waitFor(async () => (await sql`select 1 from inbox where consumer = ${COMMANDS_CONSUMER} and message_id = ${messageId}`.execute(db())).rows.length > 0, { what: `command ${messageId} applied` });
  const send = async (topic: string, payload: unknown, id: string = randomUUID()) => {
    await runtime.bus.publish(topic, payload, { id });
    return id;
  };
  const submit = async (name: string) => {
    const applicationId = randomUUID();
    await applied(await send(applicationCommandTopics.submit, { applicationId, userRef: randomUUID(), applicant: { kind: 'organisation', name, inn: '7701234567', ogrn: '1027700000001' }, objectAddress: `г. Т, ул. ${name}`, requestedPowerKw: '10', submittedAt: new Date().toISOString(), attachments: [] }));
    return applicationId;
  };

  it('lets only employees and supervisors in', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/back-office/applications' })).statusCode).toBe(401);
    expect((await admin('GET', '/api/back-office/requests')).statusCode).toBe(403);
    expect((await employee('GET', '/api/back-office/requests')).statusCode).toBe(200);
  });

  it('pages and filters the queue, oldest first, and applies a command delivered twice once', async () => {
    const first = await submit('Альфа');
    const second = await submit('Бета');
    const again = await send(applicationCommandTopics.submit, { applicationId: first, userRef: randomUUID(), applicant: { kind: 'organisation', name: 'Альфа' }, objectAddress: 'x', requestedPowerKw: '1', submittedAt: new Date().toISOString(), attachments: [] });
    await applied(again);
    const page = (await employee('GET', '/api/back-office/applications?status=submitted&limit=1')).json();
    expect(page).toMatchObject({ total: 2, limit: 1, items: [{ id: first, applicant: { name: 'Альфа' } }] });
    expect((await employee('GET', '/api/back-office/applications?q=Бета')).json().items.map((a: { id: string }) => a.id)).toEqual([second]);
    expect((await employee('GET', '/api/back-office/applications?q=%25')).json().total).toBe(0);
    expect((await employee('GET', '/api/back-office/applications?status=bogus')).json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'querystring.status' }] });
  });

  it('moves statuses only as the rules allow', async () => {
    const id = await submit('Гамма');
    expect((await employee('POST', `/api/back-office/applications/${id}/take`, {})).statusCode).toBe(200);
    await applied(await send(applicationCommandTopics.withdraw, { applicationId: id, userRef: randomUUID(), at: new Date().toISOString() }));
    expect((await employee('GET', `/api/back-office/applications/${id}`)).json().status).toBe('withdrawn');
    const issue = await employee('POST', `/api/back-office/applications/${id}/documents`, { kind: 'contract' });
    expect(issue.statusCode).toBe(409);
    expect(issue.json().code).toBe('status_change_not_allowed');
    expect((await employee('POST', `/api/back-office/applications/${id}/reject`, { reason: 'поздно' })).json().code).toBe('status_change_not_allowed');
    expect((await employee('POST', `/api/back-office/applications/${randomUUID()}/take`, {})).statusCode).toBe(404);
    // Every change numbered for the front, in the outbox.
    const { rows } = await sql<{ payload: { status: string; seq: number } }>`select payload from outbox where topic = 'cabinet.evt.application.status-changed' and payload->>'applicationId' = ${id} order by id`.execute(db());
    expect(rows.map((r) => [r.payload.status, r.payload.seq])).toEqual([['in_review', 2], ['withdrawn', 3]]);
  });

  it('refuses an employee’s file by its bytes, naming it, and changes nothing', async () => {
    const id = await submit('Дельта');
    const bad = await employee('POST', `/api/back-office/applications/${id}/request-info`, { text: 'см. файл', attachments: [{ fileName: 'a.pdf', contentBase64: Buffer.from('#!/bin/sh').toString('base64') }] });
    expect(bad.statusCode).toBe(415);
    expect(bad.json()).toMatchObject({ code: 'attachment_type_not_allowed', errors: [{ field: 'attachments/0/contentBase64' }] });
    expect((await employee('GET', `/api/back-office/applications/${id}`)).json()).toMatchObject({ status: 'submitted', messages: [] });
  });

  it('issues a contract PDF and stores a signature of it; one over other bytes is a dead command', async () => {
    const id = await submit('Эпсилон');
    const issued = (await employee('POST', `/api/back-office/applications/${id}/documents`, { kind: 'contract', allowSimpleSignature: true })).json();
    expect(issued).toMatchObject({ kind: 'contract', number: expect.stringMatching(/^ДЭ-\d{4}-\d{6}$/) });
    const pdf = (await employee('GET', `/api/back-office/documents/${issued.id}/pdf`)).rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(issued.sha256);
    const app = (await employee('GET', `/api/back-office/applications/${id}`)).json();
    const userRef = app.userRef as string;
    const signature = (sha: string): DocumentSigned => ({
      signatureId: randomUUID(), documentId: issued.id, applicationId: id, userRef, signedBy: { name: 'И. И.', login: 'i@i.test' }, method: 'simple', documentSha256: sha,
      report: { ok: true, method: 'simple', algorithm: 'otp', chain: [], verifiedAt: new Date().toISOString(), checks: [{ check: 'code', ok: true, detail: 'ok' }] }, signedAt: new Date().toISOString(),
    });
    const forged = await send(signatureCommandTopics.sign, signature('0'.repeat(64)));
    await waitFor(async () => Boolean(await db().selectFrom('dead_commands').select('message_id').where('message_id', '=', forged).executeTakeFirst()), { what: 'dead command' });
    const real = signature(issued.sha256);
    await applied(await send(signatureCommandTopics.sign, real));
    const list = (await employee('GET', `/api/back-office/signatures?documentId=${issued.id}`)).json();
    expect(list).toMatchObject({ total: 1, items: [{ id: real.signatureId, method: 'simple', hasCms: false, signedBy: { name: 'И. И.' }, report: { ok: true } }] });
    expect((await employee('GET', `/api/back-office/applications/${id}`)).json()).toMatchObject({ status: 'signed', documents: [{ status: 'signed' }] });
    expect((await employee('POST', `/api/back-office/applications/${id}/reject`, { reason: 'нет' })).statusCode).toBe(409);
  });

  it('concludes the signed contract in billing once, even when the back crashes after billing answered, and links the applicant to it', async () => {
    const id = await submit('Зета');
    const issued = (await employee('POST', `/api/back-office/applications/${id}/documents`, { kind: 'contract', allowSimpleSignature: true })).json();
    const userRef = (await employee('GET', `/api/back-office/applications/${id}`)).json().userRef as string;
    const command: DocumentSigned = {
      signatureId: randomUUID(), documentId: issued.id, applicationId: id, userRef, signedBy: { name: 'З. З.', login: 'z@z.test' }, method: 'simple', documentSha256: issued.sha256,
      report: { ok: true, method: 'simple', algorithm: 'otp', chain: [], verifiedAt: new Date().toISOString(), checks: [{ check: 'code', ok: true, detail: 'ok' }] }, signedAt: new Date().toISOString(),
    };
    // The back's transaction fails once after billing concluded the contract (a sequence is not rolled back).
    await sql
      .raw(
        `create sequence crash_once;
         create function crash_once() returns trigger language plpgsql as $$
         begin
           if new.topic = 'cabinet.evt.link.accepted' and nextval('crash_once') = 1 then raise exception 'simulated crash'; end if;
           return new;
         end $$;
         create trigger crash_once before insert on outbox for each row execute function crash_once();`,
      )
      .execute(db());
    const before = billing.contractsCreated;
    try {
      const messageId = await send(signatureCommandTopics.sign, command, command.signatureId);
      await applied(messageId);
      // It did crash once: the first try reached the trigger, the second got through.
      expect(Number((await sql<{ n: string }>`select last_value::text as n from crash_once`.execute(db())).rows[0]!.n)).toBeGreaterThanOrEqual(2);
      // Delivered again (the front's relay repeats what it is not sure of): skipped by the inbox.
      await applied(await send(signatureCommandTopics.sign, command, command.signatureId));
    } finally {
      await sql.raw('drop trigger crash_once on outbox; drop function crash_once(); drop sequence crash_once;').execute(db());
    }
    expect(billing.contractsCreated - before).toBe(1);
    const app = (await employee('GET', `/api/back-office/applications/${id}`)).json();
    expect(app).toMatchObject({ status: 'signed', contractNumber: expect.stringMatching(/^D-A\d+$/), consumerRef: expect.any(String), billingNote: null });
    const { rows } = await sql<{ topic: string; payload: Record<string, unknown> }>`select topic, payload from outbox where topic in ('cabinet.evt.link.accepted', 'cabinet.evt.consumer.snapshot') order by id`.execute(db());
    const accepted = rows.filter((r) => r.topic === 'cabinet.evt.link.accepted' && r.payload.userRef === userRef);
    expect(accepted.map((r) => r.payload)).toEqual([{ commandId: command.signatureId, userRef, consumerRef: app.consumerRef, contractNumber: app.contractNumber, via: 'application' }]);
    // The applicant's INN is a consumer billing knows (the earlier application's): its second contract.
    const snapshot = rows.filter((r) => r.topic === 'cabinet.evt.consumer.snapshot' && r.payload.consumerRef === app.consumerRef).at(-1)!.payload as { contracts: Array<{ number: string }> };
    expect(snapshot.contracts.map((k) => k.number)).toContain(app.contractNumber);
    expect(await db().selectFrom('contract_links').select(['user_ref', 'via']).where('contract_number', '=', app.contractNumber).execute()).toEqual([{ user_ref: userRef, via: 'application' }]);
  });

  it('answers a request and reopens it when the consumer writes back after a question', async () => {
    const requestId = randomUUID();
    await applied(await send(requestCommandTopics.create, { requestId, userRef: randomUUID(), kind: 'free_form', subject: 'Вопрос', text: 'текст', fields: {}, author: { name: 'И', contact: 'i@i.test' }, createdAt: new Date().toISOString(), attachments: [] }));
    expect((await employee('GET', '/api/back-office/requests?kind=free_form&status=new')).json().total).toBe(1);
    expect((await employee('POST', `/api/back-office/requests/${requestId}/request-info`, { text: 'уточните' })).json().status).toBe('needs_info');
    await applied(await send(requestCommandTopics.message, { requestId, userRef: randomUUID(), messageId: randomUUID(), text: 'уточняю', at: new Date().toISOString(), attachments: [] }));
    expect((await employee('GET', `/api/back-office/requests/${requestId}`)).json()).toMatchObject({ status: 'in_progress', messages: [{ author: 'supplier' }, { author: 'consumer', text: 'уточняю' }] });
    expect((await employee('POST', `/api/back-office/requests/${requestId}/answer`, { text: 'ответ' })).json().status).toBe('answered');
    expect((await employee('POST', `/api/back-office/requests/${requestId}/close`, {})).json().status).toBe('closed');
    expect((await employee('POST', `/api/back-office/requests/${requestId}/answer`, { text: 'ещё' })).statusCode).toBe(409);
  });
});
