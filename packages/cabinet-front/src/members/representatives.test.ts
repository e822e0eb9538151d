import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { supportTopics, type SupportGranted } from '@app/cabinet-contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../notifications/notifier.js';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;
const cookiesOf = (res: { cookies: Array<{ name: string; value: string }> }) => Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));

describe('representatives and support visits', () => {
  let front: Front;
  const mail = new RecordingNotifier();
  let owner: Session;
  let rep: Session;
  const main = sampleSnapshot('repa');
  const own = sampleSnapshot('repb');
  const reading = (value: string) => ({ readings: [{ meterId: 'repa-m1', zone: 'T1', date: '2026-03-20', value }] });

  beforeAll(async () => {
    front = await startFront({ invitations: { notifier: mail, publicUrl: () => 'https://cabinet.example' } });
    owner = await front.register({ email: 'owner.repa@example.test' }, 'Strong-Pass-2026', 'Ольга Владелец');
    await front.link(owner, owner.userId, main);
    rep = await front.register({ email: 'rep.repa@example.test' }, 'Strong-Pass-2026', 'Пётр Представитель');
    await front.link(rep, rep.userId, own);
  });
  afterAll(async () => {
    await front?.close();
  });

  const invite = async (email: string, rights: string[]) => {
    const res = await owner.call('POST', `/api/consumers/${main.consumerRef}/invitations`, { email, rights });
    expect(res.statusCode, res.body).toBe(201);
    const letter = mail.sent.at(-1)!;
    expect(letter.to).toBe(email.toLowerCase());
    const token = /token=([A-Za-z0-9_-]{20,})/.exec(letter.text)![1]!;
    return { id: res.json().id as string, token, body: res.json() };
  };

  it('an invited representative without "pay" cannot pay, can submit readings, shows in the history, and loses access on revoke', async () => {
    const { token, body } = await invite('Rep.Repa@example.test', ['submit_readings']);
    expect(body).toMatchObject({ email: 'rep.repa@example.test', rights: ['view', 'submit_readings'], status: 'pending', emailed: true });
    expect(mail.sent.at(-1)!.text).toContain('https://cabinet.example/invitations/accept?token=');
    const stored = await front.db.selectFrom('invitations').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toBe(token);
    expect(stored.email_enc).not.toContain('rep.repa');

    // Only owners invite; a stranger with the link cannot take it.
    expect((await rep.call('POST', `/api/consumers/${main.consumerRef}/invitations`, { email: 'x@example.test', rights: ['view'] })).statusCode).toBe(404);
    const stranger = await front.register({ email: 'stranger.repa@example.test' });
    const stolen = await stranger.call('POST', '/api/invitations/accept', { token });
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().code).toBe('invitation_other_person');

    const accepted = await rep.call('POST', '/api/invitations/accept', { token });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toEqual({ consumerRef: main.consumerRef, role: 'representative', rights: ['view', 'submit_readings'] });
    expect((await rep.call('POST', '/api/invitations/accept', { token })).json().code).toBe('invitation_not_found');
    const mine = (await rep.call('GET', '/api/consumers')).json().items as Array<{ consumerRef: string; role: string }>;
    expect(mine.map((c) => [c.consumerRef, c.role]).sort()).toEqual([[main.consumerRef, 'representative'], [own.consumerRef, 'owner']].sort());

    const pay = await rep.call('POST', '/api/payments/orders', { contractId: 'repa-c1', amount: '10000' });
    expect(pay.statusCode).toBe(403);
    expect(pay.json().code).toBe('right_required');
    const submitted = await rep.call('POST', '/api/readings', reading('1100'));
    expect(submitted.statusCode, submitted.body).toBe(202);

    const history = await owner.call('GET', `/api/consumers/${main.consumerRef}/history`);
    expect(history.statusCode).toBe(200);
    const items = history.json().items as Array<{ action: string; login: string; displayName: string; role: string; at: string }>;
    expect(items.find((i) => i.action === 'readings_submitted')).toMatchObject({ login: 'rep.repa@example.test', displayName: 'Пётр Представитель', role: 'representative' });
    expect(items.find((i) => i.action === 'representative_joined')).toMatchObject({ login: 'rep.repa@example.test' });
    expect(items.find((i) => i.action === 'representative_invited')).toMatchObject({ login: 'owner.repa@example.test', role: 'owner' });
    expect(items.some((i) => i.action.includes('payment'))).toBe(false); // refused calls change nothing and are not history
    // A representative sees only their own actions.
    const theirs = (await rep.call('GET', `/api/consumers/${main.consumerRef}/history`)).json().items as Array<{ login: string }>;
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((i) => i.login === 'rep.repa@example.test')).toBe(true);

    const members = (await owner.call('GET', `/api/consumers/${main.consumerRef}/members`)).json().items as Array<{ userId: string; role: string; rights: string[] }>;
    expect(members.find((m) => m.userId === rep.userId)).toMatchObject({ role: 'representative', rights: ['view', 'submit_readings'] });
    expect((await owner.call('PUT', `/api/consumers/${main.consumerRef}/members/${rep.userId}`, { rights: ['pay'] })).json()).toEqual({ rights: ['view', 'pay'] });
    expect((await rep.call('POST', '/api/readings', reading('1200'))).json().code).toBe('right_required');
    expect((await owner.call('DELETE', `/api/consumers/${main.consumerRef}/members/${owner.userId}`)).statusCode).toBe(404); // an owner is not revoked so

    expect((await owner.call('DELETE', `/api/consumers/${main.consumerRef}/members/${rep.userId}`)).statusCode).toBe(204);
    expect((await rep.call('GET', '/api/contracts/repa-c1')).statusCode).toBe(404);
    expect((await rep.call('GET', `/api/consumers/${main.consumerRef}`)).statusCode).toBe(404);
    expect((await rep.call('POST', '/api/readings', reading('1300'))).statusCode).toBe(404);
    // Same session, their own consumer still there.
    expect((await rep.call('GET', `/api/consumers/${own.consumerRef}`)).statusCode).toBe(200);
    expect((await rep.call('GET', '/api/contracts/repb-c1')).statusCode).toBe(200);
  });

  it("every action on a contract is in the contract's history; a representative without \"sign\" is told so by the document; a call naming another consumer's contract is not written there", async () => {
    const { token } = await invite('rep2.repa@example.test', ['submit_readings']);
    const rep2 = await front.register({ email: 'rep2.repa@example.test' }, 'Strong-Pass-2026', 'Вера Представитель');
    expect((await rep2.call('POST', '/api/invitations/accept', { token })).statusCode).toBe(200);
    expect((await rep2.call('POST', '/api/readings', reading('1500'))).statusCode).toBe(202);

    // An agreement to the contract, issued by the supplier: the owner may sign it, the representative may not.
    const pdf = Buffer.from('%PDF-1.4\nагреемент\n%%EOF\n');
    const documentId = randomUUID();
    const event = randomUUID();
    await front.publish('cabinet.evt.document.issued', { documentId, consumerRef: main.consumerRef, contractNumber: main.contracts[0]!.number, kind: 'agreement', title: 'Дополнительное соглашение', fileName: 'a.pdf', pdfBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex'), allowSimpleSignature: true, issuedAt: new Date().toISOString() }, event);
    await front.applied([event]);
    expect((await owner.call('GET', `/api/documents/${documentId}`)).json()).toMatchObject({ status: 'issued', canSign: true });
    expect((await rep2.call('GET', `/api/documents/${documentId}`)).json()).toMatchObject({ status: 'issued', canSign: false });
    expect((await rep2.call('POST', `/api/documents/${documentId}/simple-signature`)).json().code).toBe('right_required');
    const code = await owner.call('POST', `/api/documents/${documentId}/simple-signature`);
    expect(code.statusCode, code.body).toBe(202);

    // A request about the contract, and a message on it later: both the contract's.
    const filed = await owner.call('POST', '/api/requests', { kind: 'correct_details', subject: 'Исправить адрес', text: 'Дом 5, не 3', fields: { contractId: 'repa-c1', detail: 'address', correctValue: 'дом 5' } });
    expect(filed.statusCode, filed.body).toBe(201);
    expect((await owner.call('POST', `/api/requests/${filed.json().id}/messages`, { text: 'Уточнение: корпус 2' })).statusCode).toBe(201);

    // Someone else's call naming this contract (rep's own consumer is repb) is not written into repa's history.
    const before = await front.db.selectFrom('consumer_actions').select('id').where('consumer_ref', '=', main.consumerRef).execute();
    await rep.call('POST', '/api/requests', { kind: 'correct_details', subject: 'Чужой договор', text: '', fields: { contractId: 'repa-c1', detail: 'address', correctValue: 'x' } });
    expect(await front.db.selectFrom('consumer_actions').select('id').where('consumer_ref', '=', main.consumerRef).execute()).toHaveLength(before.length);

    const page = (await owner.call('GET', `/api/consumers/${main.consumerRef}/history?contractId=repa-c1&limit=200`)).json() as { total: number; items: Array<{ action: string; login: string; role: string; contractId?: string; contractNumber?: string }> };
    expect(page.items.length).toBe(page.total);
    expect(page.items.every((i) => i.contractId === 'repa-c1' && i.contractNumber === main.contracts[0]!.number)).toBe(true);
    const actions = page.items.map((i) => `${i.login} ${i.action}`);
    expect(actions).toEqual(expect.arrayContaining(['rep2.repa@example.test readings_submitted', 'owner.repa@example.test signature_code_requested', 'owner.repa@example.test request_created', 'owner.repa@example.test request_message']));
    // Consumer-wide actions are in the consumer's history only.
    expect(actions.some((a) => a.endsWith('representative_invited') || a.endsWith('representative_joined'))).toBe(false);
    const all = (await owner.call('GET', `/api/consumers/${main.consumerRef}/history?limit=200`)).json().items as Array<{ action: string; contractId?: string }>;
    expect(all.find((i) => i.action === 'representative_joined')?.contractId).toBeUndefined();
    // A representative's filter still shows only their own actions.
    const theirs = (await rep2.call('GET', `/api/consumers/${main.consumerRef}/history?contractId=repa-c1`)).json().items as Array<{ login: string; action: string }>;
    expect(theirs.map((i) => `${i.login} ${i.action}`)).toEqual(['rep2.repa@example.test readings_submitted']);
    expect((await owner.call('GET', `/api/consumers/${main.consumerRef}/history?contractId=`)).json().code).toBe('validation_failed');
  });

  it('invitations: owners list and withdraw them; a withdrawn one cannot be accepted; bad input changes nothing', async () => {
    const { id, token } = await invite('late.repa@example.test', ['view', 'sign']);
    const listed = (await owner.call('GET', `/api/consumers/${main.consumerRef}/invitations`)).json().items as Array<{ id: string; status: string }>;
    expect(listed.find((i) => i.id === id)?.status).toBe('pending');
    expect((await owner.call('DELETE', `/api/consumers/${main.consumerRef}/invitations/${id}`)).statusCode).toBe(204);
    const late = await front.register({ email: 'late.repa@example.test' });
    expect((await late.call('POST', '/api/invitations/accept', { token })).json().code).toBe('invitation_not_found');
    const before = await front.db.selectFrom('invitations').select('id').execute();
    const bad = await owner.call('POST', `/api/consumers/${main.consumerRef}/invitations`, { email: 'not-an-email', rights: ['view'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('email_invalid');
    expect((await owner.call('POST', `/api/consumers/${main.consumerRef}/invitations`, { email: 'a@example.test', rights: ['admin'] })).statusCode).toBe(400);
    expect(await front.db.selectFrom('invitations').select('id').execute()).toHaveLength(before.length);
  });

  it('support: a grant from the bus opens a read-only session on that one consumer; the consumer sees the visit', async () => {
    const token = randomBytes(32).toString('base64url');
    const grant: SupportGranted = {
      grantId: randomUUID(),
      consumerRef: main.consumerRef,
      tokenSha256: createHash('sha256').update(token).digest('base64url'),
      employee: { login: 'support', name: 'Специалист поддержки' },
      reason: 'Звонок: не видит счета',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    };
    await front.publish(supportTopics.granted, grant, grant.grantId);
    await front.applied([grant.grantId]);
    expect((await front.app.inject({ method: 'GET', url: `/auth/support/enter?token=${randomBytes(32).toString('base64url')}` })).json().code).toBe('support_grant_invalid');

    const entered = await front.app.inject({ method: 'GET', url: `/auth/support/enter?token=${token}` });
    expect(entered.statusCode).toBe(303);
    expect(entered.headers.location).toBe(`/?consumer=${main.consumerRef}`);
    const cookies = cookiesOf(entered);
    const csrf = cookies.cabinet_csrf!;
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => front.app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload ? { payload } : {}) });
    expect((await call('GET', '/auth/me')).json()).toMatchObject({ restriction: 'read_only', actingAs: { login: 'support', name: 'Специалист поддержки' } });
    expect((await call('GET', `/api/consumers/${main.consumerRef}`)).statusCode).toBe(200);
    expect((await call('GET', '/api/contracts/repa-c1')).statusCode).toBe(200);
    expect((await call('GET', '/api/contracts/repb-c1')).statusCode).toBe(404); // only the granted consumer
    const refused = await call('POST', '/api/readings', reading('1400'));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('read_only_session');
    expect((await call('POST', `/api/consumers/${main.consumerRef}/invitations`, { email: 'x@example.test', rights: ['view'] })).json().code).toBe('read_only_session');
    expect((await call('GET', `/api/consumers/${main.consumerRef}/members`)).statusCode).toBe(403); // not an owner

    // Used once.
    expect((await front.app.inject({ method: 'POST', url: '/auth/support/enter', payload: { token } })).json().code).toBe('support_grant_invalid');
    const visits = (await owner.call('GET', `/api/consumers/${main.consumerRef}/support-visits`)).json().items as Array<{ at: string; employee: { name: string }; reason: string }>;
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ employee: { login: 'support', name: 'Специалист поддержки' }, reason: 'Звонок: не видит счета' });
    expect(Date.parse(visits[0]!.at)).toBeGreaterThan(Date.now() - 120_000);
    // The visitor is not listed as a member.
    const members = (await owner.call('GET', `/api/consumers/${main.consumerRef}/members`)).json().items as Array<{ role: string }>;
    expect(members.map((m) => m.role)).not.toContain('support');
    // An expired grant does not open anything.
    const late = randomBytes(32).toString('base64url');
    const expired = { ...grant, grantId: randomUUID(), tokenSha256: createHash('sha256').update(late).digest('base64url'), expiresAt: new Date(Date.now() - 1000).toISOString() };
    await front.publish(supportTopics.granted, expired, expired.grantId);
    await front.applied([expired.grantId]);
    expect((await front.app.inject({ method: 'POST', url: '/auth/support/enter', payload: { token: late } })).statusCode).toBe(401);
  });

  it('consumers may turn on two-factor login; then login asks for the code', async () => {
    const { totpCode, totpStep } = await import('@app/kernel');
    const person = await front.register({ email: 'totp.repa@example.test' });
    const { secret } = (await person.call('POST', '/auth/totp/enrol')).json() as { secret: string };
    expect((await person.call('POST', '/auth/totp/confirm', { code: totpCode(secret) })).statusCode).toBe(200);
    const first = await front.app.inject({ method: 'POST', url: '/auth/login', payload: { login: 'totp.repa@example.test', password: 'Strong-Pass-2026' } });
    expect(first.statusCode).toBe(202);
    const second = await front.app.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge: first.json().challenge, code: totpCode(secret, totpStep() + 1) } });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ login: 'totp.repa@example.test', twoFactor: true });
  });
});
