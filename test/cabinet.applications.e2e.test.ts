import { randomBytes } from 'node:crypto';
import { BillingRef, billingRefMigrations, type BillingRefDb } from '@app/billing-ref';
import { BillingRefAdapter, cabinetBackMigrations, createCabinetBackApp, seedCabinetBackDemo, startCabinetBackWorkers } from '@app/cabinet-back';
import { cabinetFrontMigrations, createCabinetFrontApp, MemoryOtpSender, RecordingNotifier, resolveKeyRing } from '@app/cabinet-front';
import { createRoot, issue, opensslSign, type Issued } from '@app/cabinet-front/testing';
import { createBus, createCache, createLogger, fastHashingForTests, startOutboxRelay, type Bus, type Database, type HttpApp, type ServiceRuntime } from '@app/kernel';
import { createTestDatabase, loginWithTotp, testConfig, waitFor, type TestDatabase } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * From an application to a signed contract, as the cabinet runs: cabinet-front and cabinet-back on
 * their own databases, talking only over the bus (RabbitMQ on separate connections when AMQP_URL is
 * set), the back office used through its HTTP API by an employee. The consumer applies with a file,
 * the employee asks for information with a file, the consumer answers, the employee issues the
 * contract as a PDF, the consumer signs it with a detached CMS signature (a certificate of the test CA),
 * and the back office sees the signature and its verification report; a request is answered the same
 * way. Every change reaches the consumer's e-mail.
 */
const amqpUrl = process.env.AMQP_URL;
const logger = createLogger({ service: 'cabinet-applications-e2e', level: 'silent' });

interface Side {
  runtime: ServiceRuntime;
  nudge: () => void;
  stop: () => Promise<void>;
}

let frontDb: TestDatabase;
let backDb: TestDatabase;
let billingDb: TestDatabase<BillingRefDb>;
let front: Side;
let back: Side;
let stopWorkers: () => Promise<void>;
let frontApp: HttpApp;
let backApp: HttpApp;
let root: Issued;
const buses: Bus[] = [];
const otp = new MemoryOtpSender();
const mail = new RecordingNotifier();

function side(service: string, database: Database, bus: Bus): Side {
  const cache = createCache({ url: process.env.REDIS_URL, prefix: `test-${randomBytes(4).toString('hex')}:` });
  const runtime: ServiceRuntime = { service, logger, database, bus, cache };
  const relay = startOutboxRelay(runtime);
  return { runtime, nudge: () => relay.nudge(), stop: async () => { await relay.stop(); await cache.close(); } };
}

beforeAll(async () => {
  [frontDb, backDb, billingDb] = await Promise.all([
    createTestDatabase({ migrations: cabinetFrontMigrations }),
    createTestDatabase({ migrations: cabinetBackMigrations }),
    createTestDatabase<BillingRefDb>({ migrations: billingRefMigrations }),
  ]);
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const [frontBus, backBus] = amqpUrl
    ? [createBus({ url: amqpUrl, logger, service: 'cabinet-front', prefix }), createBus({ url: amqpUrl, logger, service: 'cabinet-back', prefix })]
    : (() => { const bus = createBus({ logger, service: 'all-in-one' }); return [bus, bus]; })();
  buses.push(...new Set([frontBus, backBus]));
  await waitFor(() => buses.every((b) => b.isConnected()), { what: 'buses connected' });
  front = side('cabinet-front', frontDb, frontBus);
  back = side('cabinet-back', backDb, backBus);
  root = await createRoot('CN=E2E Test Root CA, O=Test');
  frontApp = await createCabinetFrontApp(front.runtime, testConfig, {
    hashing: fastHashingForTests,
    otpSender: otp,
    keys: resolveKeyRing({ NODE_ENV: 'test' }),
    nudge: front.nudge,
    documents: { notifier: mail, trustedRoots: [root.der], notifications: { intervalMs: 100 } },
  });
  await frontApp.ready();
  const adapter = new BillingRefAdapter(new BillingRef(billingDb));
  stopWorkers = await startCabinetBackWorkers(back.runtime, adapter, { nudge: back.nudge, sync: false, commands: { backoffMs: () => 200 } });
  await seedCabinetBackDemo(backDb, fastHashingForTests);
  backApp = await createCabinetBackApp(back.runtime, testConfig, { hashing: fastHashingForTests, billing: adapter, nudge: back.nudge });
  await backApp.ready();
}, 120_000);

afterAll(async () => {
  await stopWorkers?.();
  await frontApp?.close();
  await backApp?.close();
  await front?.stop();
  await back?.stop();
  await Promise.all(buses.map((b) => b.close()));
  await Promise.all([frontDb?.close(), backDb?.close(), billingDb?.close()]);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field, as a client would
type Call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => Promise<{ statusCode: number; json: () => any; body: string; rawPayload: Buffer }>;

async function session(app: HttpApp, login: string, password: string, remoteAddress: string): Promise<Call> {
  // Staff walk the two-factor path (enrol at first login); consumers have it off, one password step.
  const { cookies, csrf } = await loginWithTotp(app, { login, password }, { remoteAddress });
  return (method, url, payload) => app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

async function registerConsumer(email: string, password: string): Promise<Call> {
  const start = await frontApp.inject({ method: 'POST', url: '/auth/register', payload: { email }, remoteAddress: '10.8.0.1' });
  const confirm = await frontApp.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code: otp.lastCodeFor(email), password, displayName: 'Анна Заявителева' } });
  expect(confirm.statusCode).toBe(201);
  return session(frontApp, email, password, '10.8.0.2');
}

const pdfFile = (text: string) => Buffer.from(`%PDF-1.4\n${text}\n%%EOF`).toString('base64');
const pngFile = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]).toString('base64');
const organisation = { kind: 'organisation', name: 'ООО «Сварка-Юг»', inn: '7705550011', ogrn: '1157746000011', email: 'office@svarka.test' };

let consumer: Call;
let employee: Call;
let email: string;

describe('cabinet end to end: application → contract → signature, and a request, front ⇄ bus ⇄ back office', () => {
  let applicationId: string;
  let documentId: string;

  it('a consumer applies with a file; the application reaches the back-office queue with it', async () => {
    email = `apply-${randomBytes(3).toString('hex')}@consumer.test`;
    consumer = await registerConsumer(email, 'Apply-Strong-Pass-2026');
    employee = await session(backApp, 'employee', 'BackOffice-2026!', '10.8.1.1');

    const upload = await consumer('POST', '/api/attachments', { fileName: 'Выписка ЕГРЮЛ.pdf', contentBase64: pdfFile('выписка') });
    expect(upload.statusCode, upload.body).toBe(201);
    const draft = await consumer('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Краснодар, ул. Заводская, 5', requestedPowerKw: '150', attachmentIds: [upload.json().id] });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ status: 'draft', attachments: [{ fileName: 'Выписка ЕГРЮЛ.pdf', mediaType: 'application/pdf' }] });
    applicationId = draft.json().id;
    expect((await consumer('POST', `/api/applications/${applicationId}/submit`)).json().status).toBe('submitted');

    const queued = await waitFor(async () => {
      const queue = (await employee('GET', '/api/back-office/applications?status=submitted')).json();
      return queue.items.find((a: { id: string }) => a.id === applicationId);
    }, { what: 'application in the back-office queue', timeoutMs: 30_000 });
    expect(queued).toMatchObject({ applicant: { name: organisation.name, inn: organisation.inn }, requestedPowerKw: '150' });
    const details = (await employee('GET', `/api/back-office/applications/${applicationId}`)).json();
    expect(details.attachments).toHaveLength(1);
    const file = await employee('GET', `/api/back-office/attachments/${details.attachments[0].id}`);
    expect(file.rawPayload.toString()).toContain('выписка');
  });

  it('the employee asks for information with a file; the consumer sees it, downloads it and answers', async () => {
    expect((await employee('POST', `/api/back-office/applications/${applicationId}/take`, {})).statusCode).toBe(200);
    const ask = await employee('POST', `/api/back-office/applications/${applicationId}/request-info`, { text: 'Приложите однолинейную схему.', attachments: [{ fileName: 'Образец схемы.png', contentBase64: pngFile() }] });
    expect(ask.statusCode, ask.body).toBe(200);
    const seen = await waitFor(async () => {
      const view = (await consumer('GET', `/api/applications/${applicationId}`)).json();
      return view.status === 'needs_info' && view.messages.length === 1 && view;
    }, { what: 'the question in the cabinet', timeoutMs: 30_000 });
    expect(seen.messages[0]).toMatchObject({ author: 'supplier', text: 'Приложите однолинейную схему.', attachments: [{ fileName: 'Образец схемы.png', mediaType: 'image/png', direction: 'supplier' }] });
    const download = await consumer('GET', `/api/attachments/${seen.messages[0].attachments[0].id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.subarray(0, 4).toString('latin1')).toBe('\x89PNG');

    const scheme = await consumer('POST', '/api/attachments', { fileName: 'Схема.pdf', contentBase64: pdfFile('схема') });
    const answer = await consumer('POST', `/api/applications/${applicationId}/messages`, { text: 'Схема во вложении.', attachmentIds: [scheme.json().id] });
    expect(answer.statusCode, answer.body).toBe(201);
    // The back puts it back in review when the consumer answers.
    await waitFor(async () => (await employee('GET', `/api/back-office/applications/${applicationId}`)).json().status === 'in_review', { what: 'back in review', timeoutMs: 30_000 });
    await waitFor(async () => (await consumer('GET', `/api/applications/${applicationId}`)).json().status === 'in_review', { what: 'front in review', timeoutMs: 30_000 });
  });

  it('the employee issues the contract as a PDF; the consumer signs it with a certificate; the back office sees who signed and the report', async () => {
    const issued = await employee('POST', `/api/back-office/applications/${applicationId}/documents`, { kind: 'contract', allowSimpleSignature: false });
    expect(issued.statusCode, issued.body).toBe(201);
    documentId = issued.json().id;
    const view = await waitFor(async () => {
      const v = (await consumer('GET', `/api/applications/${applicationId}`)).json();
      return v.status === 'contract_issued' && v.documents.length === 1 && v;
    }, { what: 'the contract in the cabinet', timeoutMs: 30_000 });
    expect(view.documents[0]).toMatchObject({ id: documentId, kind: 'contract', status: 'issued', title: 'Договор энергоснабжения', allowSimpleSignature: false });
    const pdf = (await consumer('GET', `/api/documents/${documentId}/pdf`)).rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await consumer('POST', `/api/documents/${documentId}/simple-signature`)).toMatchObject({ statusCode: 409 });

    const intermediate = await issue(root, 'CN=E2E Issuing CA, O=Test', { ca: true });
    const stranger = await issue(intermediate, 'CN=Чужой Подписант, 1.2.643.100.4=7700000000, 1.2.643.100.1=1027700000000');
    const refused = await consumer('POST', `/api/documents/${documentId}/signatures`, { signatureBase64: opensslSign(pdf, stranger, [intermediate]).toString('base64') });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'signer_mismatch', report: { ok: false, code: 'signer_mismatch' } });

    const director = await issue(intermediate, `CN=Директор Сварка-Юг, O=ООО Сварка-Юг, 1.2.643.100.4=${organisation.inn}, 1.2.643.100.1=${organisation.ogrn}`, { alg: 'ecdsa' });
    const signed = await consumer('POST', `/api/documents/${documentId}/signatures`, { signatureBase64: opensslSign(pdf, director, [intermediate]).toString('base64') });
    expect(signed.statusCode, signed.body).toBe(201);
    expect(signed.json()).toMatchObject({ status: 'signed', report: { ok: true, algorithm: 'ecdsa', signer: { innle: organisation.inn } } });

    const seen = await waitFor(async () => {
      const list = (await employee('GET', `/api/back-office/signatures?applicationId=${applicationId}`)).json();
      return list.total === 1 && list.items[0];
    }, { what: 'the signature in the back office', timeoutMs: 30_000 });
    expect(seen).toMatchObject({ documentId, method: 'cms', algorithm: 'ecdsa', hasCms: true, signedBy: { name: 'Анна Заявителева', login: email }, report: { ok: true, signer: { commonName: 'Директор Сварка-Юг' } } });
    const cms = await employee('GET', `/api/back-office/signatures/${seen.id}/cms`);
    expect(cms.statusCode).toBe(200);
    expect((await employee('GET', `/api/back-office/applications/${applicationId}`)).json()).toMatchObject({ status: 'signed', documents: [{ status: 'signed', signatures: [{ id: seen.id }] }] });
    await waitFor(async () => (await consumer('GET', `/api/applications/${applicationId}`)).json().status === 'signed', { what: 'signed in the cabinet', timeoutMs: 30_000 });
    const doc = (await consumer('GET', `/api/documents/${documentId}`)).json();
    expect(doc).toMatchObject({ status: 'signed', signatures: [{ method: 'cms', algorithm: 'ecdsa', signedBy: 'Анна Заявителева' }] });
  });

  it('signing the contract concluded it in billing: the consumer sees it in the cabinet, another consumer does not', async () => {
    const concluded = await waitFor(
      () => billingDb.db.selectFrom('contracts').select(['id', 'number', 'consumer_id', 'status']).where('application_ref', '=', applicationId).executeTakeFirst(),
      { what: 'the contract in billing', timeoutMs: 30_000 },
    );
    expect(concluded).toMatchObject({ number: expect.stringMatching(/^D-\d{4}-\d{6}$/), status: 'active' });
    const holder = await billingDb.db.selectFrom('consumers').selectAll().where('id', '=', concluded.consumer_id).executeTakeFirstOrThrow();
    expect(holder).toMatchObject({ kind: 'organisation', name: organisation.name, inn: organisation.inn, ogrn: organisation.ogrn });
    const object = await billingDb.db.selectFrom('supply_objects').selectAll().where('contract_id', '=', concluded.id).executeTakeFirstOrThrow();
    expect(object.address).toBe('г. Краснодар, ул. Заводская, 5');
    const point = await billingDb.db.selectFrom('metering_points').select(['max_power_kw']).where('supply_object_id', '=', object.id).executeTakeFirstOrThrow();
    expect(Number(point.max_power_kw)).toBe(150);
    expect(await billingDb.db.selectFrom('contracts').select('id').where('consumer_id', '=', concluded.consumer_id).execute()).toHaveLength(1);

    const mine = await waitFor(async () => {
      const list = (await consumer('GET', '/api/contracts')).json();
      return list.items?.find((c: { number: string }) => c.number === concluded.number);
    }, { what: 'the contract in the cabinet', timeoutMs: 30_000 });
    expect(mine).toMatchObject({ number: concluded.number, status: 'active', consumerRef: String(concluded.consumer_id) });
    const detail = (await consumer('GET', `/api/contracts/${mine.id}`)).json();
    expect(JSON.stringify(detail)).toContain('г. Краснодар, ул. Заводская, 5');
    expect((await employee('GET', `/api/back-office/applications/${applicationId}`)).json()).toMatchObject({ contractNumber: concluded.number, consumerRef: String(concluded.consumer_id) });

    const other = await registerConsumer(`other-${randomBytes(3).toString('hex')}@consumer.test`, 'Other-Strong-Pass-2026');
    expect((await other('GET', '/api/contracts')).json().items).toEqual([]);
    expect((await other('GET', `/api/contracts/${mine.id}`)).statusCode).toBe(404);
  });

  it('an additional agreement to the contract in force: issued by the back office, awaiting the consumer’s signature, signed by a one-time code, seen signed in the back office', async () => {
    const number = (await employee('GET', `/api/back-office/applications/${applicationId}`)).json().contractNumber as string;
    expect((await employee('POST', '/api/back-office/contracts/NO-SUCH-1/agreements', { allowSimpleSignature: true })).statusCode).toBe(404);
    const issued = await employee('POST', `/api/back-office/contracts/${encodeURIComponent(number)}/agreements`, { allowSimpleSignature: true, terms: 'Максимальная мощность увеличивается до 200 кВт.' });
    expect(issued.statusCode, issued.body).toBe(201);
    const agreementId = issued.json().id as string;
    expect(issued.json()).toMatchObject({ kind: 'agreement', number: expect.stringMatching(/^ДС-\d{4}-\d{6}$/), contractNumber: number });

    const waiting = await waitFor(async () => (await consumer('GET', '/api/documents?status=issued')).json().items?.find((d: { id: string }) => d.id === agreementId), { what: 'the agreement awaiting signature', timeoutMs: 30_000 });
    expect(waiting).toMatchObject({ kind: 'agreement', contractNumber: number, status: 'issued', allowSimpleSignature: true, title: `Дополнительное соглашение к договору ${number}` });
    expect(waiting).not.toHaveProperty('applicationId');
    const pdf = await consumer('GET', `/api/documents/${agreementId}/pdf`);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    const stranger = await registerConsumer(`stranger-${randomBytes(3).toString('hex')}@consumer.test`, 'Stranger-Strong-Pass-2026');
    expect((await stranger('GET', `/api/documents/${agreementId}`)).statusCode).toBe(404);
    expect((await stranger('GET', '/api/documents')).json().items).toEqual([]);
    expect((await stranger('POST', `/api/documents/${agreementId}/simple-signature`)).statusCode).toBe(404);

    const challenge = await consumer('POST', `/api/documents/${agreementId}/simple-signature`);
    expect(challenge.statusCode, challenge.body).toBe(202);
    const signed = await consumer('POST', `/api/documents/${agreementId}/simple-signature/${challenge.json().challengeId}/confirm`, { code: otp.lastCodeFor(email) });
    expect(signed.statusCode, signed.body).toBe(201);
    expect(signed.json()).toMatchObject({ status: 'signed', report: { ok: true, method: 'simple' } });
    expect((await consumer('GET', '/api/documents?status=issued')).json().items.some((d: { id: string }) => d.id === agreementId)).toBe(false);

    const seen = await waitFor(async () => {
      const list = (await employee('GET', `/api/back-office/contracts/${encodeURIComponent(number)}/agreements`)).json();
      return list.items?.[0]?.status === 'signed' && list.items[0];
    }, { what: 'the signed agreement in the back office', timeoutMs: 30_000 });
    expect(seen).toMatchObject({ id: agreementId, kind: 'agreement', signatures: [{ method: 'simple', algorithm: 'otp', signedBy: { login: email }, applicationId: null }] });
  });

  it('a request is answered with a file and closed; every change of application and request was e-mailed', async () => {
    const created = await consumer('POST', '/api/requests', { kind: 'support', subject: 'Не открывается счёт', text: 'Кнопка «Скачать» не работает.', fields: {} });
    expect(created.statusCode, created.body).toBe(201);
    const requestId = created.json().id;
    await waitFor(async () => (await employee('GET', '/api/back-office/requests?kind=support')).json().items.some((r: { id: string }) => r.id === requestId), { what: 'request in the queue', timeoutMs: 30_000 });
    expect((await employee('POST', `/api/back-office/requests/${requestId}/take`, {})).statusCode).toBe(200);
    const answered = await employee('POST', `/api/back-office/requests/${requestId}/answer`, { text: 'Исправлено, попробуйте снова.', attachments: [{ fileName: 'Инструкция.pdf', contentBase64: pdfFile('инструкция') }] });
    expect(answered.statusCode, answered.body).toBe(200);
    const view = await waitFor(async () => {
      const v = (await consumer('GET', `/api/requests/${requestId}`)).json();
      return v.status === 'answered' && v.messages.length === 1 && v;
    }, { what: 'the answer in the cabinet', timeoutMs: 30_000 });
    expect(view.messages[0]).toMatchObject({ author: 'supplier', text: 'Исправлено, попробуйте снова.', attachments: [{ fileName: 'Инструкция.pdf' }] });
    expect((await consumer('POST', `/api/requests/${requestId}/close`)).json().status).toBe('closed');
    await waitFor(async () => (await employee('GET', `/api/back-office/requests/${requestId}`)).json().status === 'closed', { what: 'closed in the back office', timeoutMs: 30_000 });

    const expected = ['заявка подана', 'заявка на рассмотрении', 'нужны дополнительные сведения', 'новое сообщение', 'документ на подпись', 'договор направлен на подпись', 'договор подписан', 'обращение зарегистрировано', 'обращение в работе', 'получен ответ', 'обращение закрыто'];
    const subjects = () => mail.sent.filter((m) => m.to === email).map((m) => m.subject);
    await waitFor(() => expected.every((e) => subjects().some((s) => s.includes(e))), { what: `e-mails: ${expected.join(', ')}`, timeoutMs: 30_000 });
    // Once each: the consumer's own close, echoed by the back, is not announced twice.
    expect(subjects().filter((s) => s.includes('обращение закрыто'))).toHaveLength(1);
  });
});
