import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../notifications/notifier.js';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;

/**
 * Applications, requests and attachments through the API, with the back played over the bus: what is
 * refused (with its code and field, changing nothing), what goes to the back, and the e-mails.
 */
describe('applications, requests and attachments', () => {
  let front: Front;
  let olga: Session;
  const mail = new RecordingNotifier();
  const organisation = { kind: 'organisation', name: 'ООО «Тест»', inn: '7701234567', ogrn: '1027700000001' };
  const pdf = (text = 'x') => Buffer.from(`%PDF-1.4 ${text}`).toString('base64');
  const count = async (table: 'applications' | 'attachments' | 'requests' | 'outbox') => (await front.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n.toString();

  beforeAll(async () => {
    front = await startFront({ documents: { notifier: mail, notifications: { intervalMs: 50 } } });
    olga = await front.register({ email: 'olga@apps.test' }, 'Olga-Strong-2026', 'Ольга');
    await front.link(olga, olga.userId, sampleSnapshot('ap'));
  });
  afterAll(() => front.close());

  it('refuses files by their bytes, not their names: type, size, emptiness, base64', async () => {
    const exe = await olga.call('POST', '/api/attachments', { fileName: 'scan.pdf', contentBase64: Buffer.from('MZ\x90\x00 not a pdf').toString('base64') });
    expect(exe.statusCode).toBe(415);
    expect(exe.json()).toMatchObject({ code: 'attachment_type_not_allowed', errors: [{ field: 'contentBase64' }] });
    const big = await olga.call('POST', '/api/attachments', { fileName: 'big.pdf', contentBase64: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(4 * 1024 * 1024)]).toString('base64') });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('attachment_too_large');
    expect((await olga.call('POST', '/api/attachments', { fileName: 'x.pdf', contentBase64: '***' })).json().code).toBe('base64_invalid');
    expect((await olga.call('POST', '/api/attachments', { fileName: 'a/b.pdf', contentBase64: pdf() })).json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'fileName' }] });
    expect(await count('attachments')).toBe('0');
    const docx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('....word/document.xml')]);
    expect((await olga.call('POST', '/api/attachments', { fileName: 'заявление.pdf', contentBase64: docx.toString('base64') })).json().mediaType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });

  it('refuses an application without the identifiers its signature will be checked against, and stores nothing', async () => {
    const before = await count('applications');
    const noOgrn = await olga.call('POST', '/api/applications', { applicant: { ...organisation, ogrn: undefined }, objectAddress: 'г. Т', requestedPowerKw: '10' });
    expect(noOgrn.statusCode).toBe(422);
    expect(noOgrn.json()).toMatchObject({ code: 'application_invalid', errors: [{ field: 'applicant/ogrn', code: 'ogrn_required' }] });
    const person = await olga.call('POST', '/api/applications', { applicant: { kind: 'person', name: 'И. И.' }, objectAddress: 'г. Т', requestedPowerKw: '10' });
    expect(person.json().errors).toEqual([expect.objectContaining({ field: 'applicant/snils', code: 'snils_or_inn_required' })]);
    const badPower = await olga.call('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Т', requestedPowerKw: '-1' });
    expect(badPower.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'requestedPowerKw' }] });
    const someoneElses = await olga.call('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Т', requestedPowerKw: '10', attachmentIds: [randomUUID()] });
    expect(someoneElses.json()).toMatchObject({ code: 'attachment_not_found', errors: [{ field: 'attachmentIds/0' }] });
    expect(await count('applications')).toBe(before);
  });

  it('submits a draft with its files as one command; a draft changes, a submitted one does not', async () => {
    const file = (await olga.call('POST', '/api/attachments', { fileName: 'устав.pdf', contentBase64: pdf('устав') })).json();
    const draft = (await olga.call('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Т, ул. Новая, 1', requestedPowerKw: '10', attachmentIds: [file.id] })).json();
    expect((await olga.call('PATCH', `/api/applications/${draft.id}`, { requestedPowerKw: '12.5' })).json().requestedPowerKw).toBe('12.5');
    expect((await olga.call('POST', `/api/applications/${draft.id}/messages`, { text: 'рано' })).json().code).toBe('application_thread_closed');
    expect((await olga.call('POST', `/api/applications/${draft.id}/submit`)).json().status).toBe('submitted');
    const command = await front.commandOf('cabinet.cmd.application.submit', (p: { applicationId: string }) => p.applicationId === draft.id);
    expect(command.payload).toMatchObject({ applicant: organisation, requestedPowerKw: '12.5', attachments: [{ fileName: 'устав.pdf', mediaType: 'application/pdf', sha256: createHash('sha256').update(Buffer.from(pdf('устав'), 'base64')).digest('hex') }] });
    expect((await olga.call('PATCH', `/api/applications/${draft.id}`, { requestedPowerKw: '20' })).json().code).toBe('application_not_draft');
    expect((await olga.call('POST', `/api/applications/${draft.id}/submit`)).json().code).toBe('application_already_submitted');
    // The file went with the application: it cannot be sent again with another.
    expect((await olga.call('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Т', requestedPowerKw: '10', attachmentIds: [file.id] })).json().code).toBe('attachment_not_found');

    // The back's events, late and repeated: the newest status wins.
    const ids = [randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.application.status-changed', { applicationId: draft.id, userRef: olga.userId, status: 'needs_info', seq: 3, at: new Date().toISOString() }, ids[0]);
    await front.publish('cabinet.evt.application.status-changed', { applicationId: draft.id, userRef: olga.userId, status: 'in_review', seq: 2, at: new Date().toISOString() }, ids[1]);
    await front.applied(ids);
    expect((await olga.call('GET', `/api/applications/${draft.id}`)).json().status).toBe('needs_info');
    expect((await olga.call('GET', '/api/applications?status=needs_info')).json().total).toBe(1);
  });

  it('takes typed requests, checking each named contract, point and meter is the caller’s', async () => {
    const base = { subject: 'Замена счётчика', text: '' };
    const replacement = {
      meteringPointId: 'ap-p1',
      replacedOn: '2026-03-10',
      oldMeter: { meterId: 'ap-m1', finalReadings: [{ zone: 'T1', value: '1234.5' }] },
      newMeter: { serial: 'SN-NEW-1', model: 'Меркурий 234', digits: 6, initialReadings: [{ zone: 'T1', value: '0' }, { zone: 'T2', value: '0' }] },
    };
    const ok = await olga.call('POST', '/api/requests', { ...base, kind: 'meter_replacement', fields: replacement });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'meter_replacement', status: 'new', consumerRef: 'consumer-ap' });
    const command = await front.commandOf('cabinet.cmd.request.create', (p: { requestId: string }) => p.requestId === ok.json().id);
    expect(command.payload).toMatchObject({ kind: 'meter_replacement', fields: replacement, author: { name: 'Ольга', contact: 'olga@apps.test' } });

    const before = await count('requests');
    const missing = await olga.call('POST', '/api/requests', { ...base, kind: 'meter_replacement', fields: { ...replacement, oldMeter: undefined } });
    expect(missing.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'fields/oldMeter', code: 'required' }] });
    const beyondDial = await olga.call('POST', '/api/requests', { ...base, kind: 'meter_replacement', fields: { ...replacement, newMeter: { ...replacement.newMeter, digits: 3, initialReadings: [{ zone: 'T1', value: '12345' }] } } });
    expect(beyondDial.json().errors).toEqual([expect.objectContaining({ field: 'fields/newMeter/initialReadings/0/value', code: 'reading_exceeds_capacity' })]);
    const foreign = await olga.call('POST', '/api/requests', { ...base, kind: 'terminate_contract', fields: { contractId: 'zz-c1', terminateOn: '2026-04-01', reason: 'переезд' } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'contract_not_found', errors: [{ field: 'fields/contractId' }] });
    const wrongMeter = await olga.call('POST', '/api/requests', { ...base, kind: 'meter_replacement', fields: { ...replacement, oldMeter: { ...replacement.oldMeter, meterId: 'zz-m1' } } });
    expect(wrongMeter.json().code).toBe('meter_not_found');
    expect((await olga.call('POST', '/api/requests', { ...base, kind: 'support', fields: { extra: 1 } })).json().errors[0]).toMatchObject({ field: 'fields/extra' });
    expect(await count('requests')).toBe(before);

    const correct = await olga.call('POST', '/api/requests', { ...base, kind: 'correct_details', fields: { contractId: 'ap-c1', detail: 'адрес', correctValue: 'ул. Верная, 1' } });
    expect(correct.statusCode).toBe(201);
  });

  it('a link request goes by the existing link command and shows its outcome', async () => {
    const res = await olga.call('POST', '/api/requests', { kind: 'link_contract', subject: 'Подключить договор', text: 'прошу подключить', fields: { contractNumber: 'LNK-1', applicantName: 'Ольга' } });
    expect(res.statusCode, res.body).toBe(201);
    const command = await front.commandOf('cabinet.cmd.link.by-request', (p: { commandId: string }) => p.commandId === res.json().linkRequestId);
    const id = randomUUID();
    await front.publish('cabinet.evt.link.rejected', { commandId: (command.payload as { commandId: string }).commandId, userRef: olga.userId, contractNumber: 'LNK-1', code: 'request_declined', message: 'Договор на другое лицо' }, id);
    await front.applied([id]);
    expect((await olga.call('GET', `/api/requests/${res.json().id}`)).json()).toMatchObject({ status: 'answered', text: expect.stringContaining('Договор на другое лицо') });
    expect((await olga.call('POST', `/api/requests/${res.json().id}/messages`, { text: 'почему?' })).json().code).toBe('request_no_thread');
  });

  it('refuses a wrong one-time code for a simple signature, and a document the supplier did not allow it for', async () => {
    const application = (await olga.call('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Т', requestedPowerKw: '10' })).json().id as string;
    await olga.call('POST', `/api/applications/${application}/submit`);
    const body = Buffer.from('%PDF-1.4 договор');
    const [simple, strict] = [randomUUID(), randomUUID()];
    const doc = (id: string, allow: boolean) => ({ documentId: id, applicationId: application, userRef: olga.userId, kind: 'contract', title: 'Договор', fileName: 'd.pdf', pdfBase64: body.toString('base64'), sha256: createHash('sha256').update(body).digest('hex'), allowSimpleSignature: allow, issuedAt: new Date().toISOString() });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.application.status-changed', { applicationId: application, userRef: olga.userId, status: 'contract_issued', seq: 2, at: new Date().toISOString() }, ids[0]);
    await front.publish('cabinet.evt.document.issued', doc(simple, true), ids[1]);
    await front.publish('cabinet.evt.document.issued', doc(strict, false), ids[2]);
    await front.applied(ids);
    expect((await olga.call('POST', `/api/documents/${strict}/simple-signature`)).json().code).toBe('simple_signature_not_allowed');
    const challenge = (await olga.call('POST', `/api/documents/${simple}/simple-signature`)).json();
    expect(challenge.sentTo).toContain('@apps.test');
    const code = front.otp.lastCodeFor('olga@apps.test')!;
    const wrong = await olga.call('POST', `/api/documents/${simple}/simple-signature/${challenge.challengeId}/confirm`, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.json()).toMatchObject({ code: 'otp_wrong_code', attemptsLeft: 4 });
    // The code is bound to its document.
    expect((await olga.call('POST', `/api/documents/${strict}/simple-signature/${challenge.challengeId}/confirm`, { code })).json().code).toBe('otp_wrong_code');
    const signed = await olga.call('POST', `/api/documents/${simple}/simple-signature/${challenge.challengeId}/confirm`, { code });
    expect(signed.statusCode, signed.body).toBe(201);
    expect(signed.json().report).toMatchObject({ ok: true, method: 'simple', algorithm: 'otp' });
    expect((await olga.call('POST', `/api/documents/${simple}/simple-signature/${challenge.challengeId}/confirm`, { code })).json().code).toBe('otp_already_used');
    const sent = await front.commandOf('cabinet.cmd.document.sign', (p: { documentId: string }) => p.documentId === simple);
    expect(sent.payload).toMatchObject({ method: 'simple', signedBy: { name: 'Ольга', login: 'olga@apps.test' }, documentSha256: createHash('sha256').update(body).digest('hex') });
    expect((await olga.call('GET', `/api/documents/${simple}`)).json()).toMatchObject({ status: 'signed', signatures: [{ method: 'simple', signedBy: 'Ольга' }] });
    // A signature that is no CMS at all is refused with its code and report, and nothing is stored.
    const junk = await olga.call('POST', `/api/documents/${strict}/signatures`, { signatureBase64: Buffer.from('definitely not a CMS structure').toString('base64') });
    expect(junk.statusCode).toBe(422);
    expect(junk.json()).toMatchObject({ code: 'signature_malformed', report: { ok: false } });
    expect((await olga.call('GET', `/api/documents/${strict}`)).json().signatures).toEqual([]);
  });

  it('e-mails each change to the consumer', async () => {
    const { waitFor } = await import('@app/kernel/testing');
    await waitFor(() => mail.sent.some((m) => m.subject.includes('нужны дополнительные сведения')) && mail.sent.some((m) => m.subject.includes('обращение зарегистрировано')), { what: 'e-mails' });
    expect(mail.sent.every((m) => m.to === 'olga@apps.test')).toBe(true);
    // A late, older status was not announced.
    expect(mail.sent.filter((m) => m.subject.includes('заявка на рассмотрении'))).toEqual([]);
  });
});
