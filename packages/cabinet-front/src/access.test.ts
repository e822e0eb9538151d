import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoot, issue, opensslSign, type Issued } from './signatures/testing/test-ca.js';
import ExcelJS from 'exceljs';
import { TbankAcquiring } from './payments/acquiring.js';
import { startTbankEmulator, type TbankEmulator } from './payments/emulator/tbank-emulator.js';
import { sampleSnapshot, startFront, type Front } from './testing/fixture.js';

type Session = Awaited<ReturnType<Front['register']>>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Generated over the app's route table, not hand-picked: every consumer route that takes an id is
 * called by consumer B with consumer A's ids and must answer 404 (not 403: B must not even learn the
 * id exists). Called by A, the same request must succeed, so the ids are right. A new route with an id
 * parameter this test has no id for fails the test until someone adds it here; a new list route is
 * called with A's ids in every filter and must show B nothing.
 */
describe('access: another consumer\'s ids are not found, on every route', () => {
  let front: Front;
  let a: Session;
  let b: Session;
  const ids: Record<string, string> = {};
  // Query values a route needs besides ids (the hourly period).
  const queryValues: Record<string, string> = { from: '2026-01-01', to: '2026-01-31', kind: 'profile', format: 'csv' };
  // Bodies for state-changing routes with an id in the path (none yet): `${method} ${url}` → body.
  const bodies: Record<string, unknown> = {};
  // Ids for one route only, where A's call changes state (a draft to submit, another to withdraw …).
  const routeIds: Record<string, Record<string, string>> = {};
  let root: Issued;

  let bank: TbankEmulator;

  beforeAll(async () => {
    bank = await startTbankEmulator();
    root = await createRoot('CN=Access Test Root CA');
    front = await startFront({ documents: { trustedRoots: [root.der] }, selfService: { payments: { acquiring: new TbankAcquiring({ url: bank.apiUrl, terminalKey: bank.terminalKey, password: bank.password }), publicUrl: 'http://127.0.0.1:9', reconcileIntervalMs: 0 } } });
    a = await front.register({ email: 'a@access.test' });
    b = await front.register({ email: 'b@access.test' });
    const snapshotA = sampleSnapshot('a');
    const linkId = await front.link(a, a.userId, snapshotA);
    await front.link(b, b.userId, sampleSnapshot('b'));
    const reading = await a.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '1100' }] });
    const order = await a.call('POST', '/api/payments/orders', { contractId: 'a-c1', amount: '10000' });
    const template = await a.call('GET', `/api/consumers/${snapshotA.consumerRef}/readings-template`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
    const upload = await front.app.inject({ method: 'POST', url: `/api/readings/uploads?consumerRef=${snapshotA.consumerRef}`, cookies: a.cookies, headers: { 'x-csrf-token': a.csrf, 'content-type': 'application/octet-stream' }, payload: Buffer.from(await workbook.xlsx.writeBuffer()) });
    Object.assign(ids, {
      consumerRef: snapshotA.consumerRef,
      contractId: 'a-c1',
      objectId: 'a-o1',
      pointId: 'a-p1',
      meterId: 'a-m1',
      invoiceId: 'a-i1',
      linkId,
      readingId: reading.json().readings[0].id as string,
      orderId: order.json().id as string,
      uploadId: upload.json().id as string,
    });
    await applicationsAndRequestsOfA();
    await representativeOfA(snapshotA.consumerRef);
  });

  /** A representative of A (accepted) and a pending invitation, for the members and invitations routes. */
  async function representativeOfA(consumerRef: string) {
    const rep = await front.register({ email: 'rep-of-a@access.test' });
    await front.db.insertInto('memberships').values({ user_id: rep.userId, consumer_ref: consumerRef, role: 'representative', rights: ['view'] }).execute();
    const invitation = await a.call('POST', `/api/consumers/${consumerRef}/invitations`, { email: 'later@access.test', rights: ['view'] });
    Object.assign(ids, { userId: rep.userId, invitationId: invitation.json().id as string });
    Object.assign(bodies, {
      'POST /api/consumers/:consumerRef/invitations': { email: 'another@access.test', rights: ['view', 'pay'] },
      'DELETE /api/consumers/:consumerRef/invitations/:invitationId': undefined,
      'PUT /api/consumers/:consumerRef/members/:userId': { rights: ['submit_readings'] },
      'DELETE /api/consumers/:consumerRef/members/:userId': undefined,
    });
  }

  /** A's application with a file, a contract issued for signature (the back played here), drafts, requests. */
  async function applicationsAndRequestsOfA() {
    const signer = await issue(root, 'CN=A, 1.2.643.100.4=7701234567, 1.2.643.100.1=1027700000001');
    const file = await a.call('POST', '/api/attachments', { fileName: 'a.pdf', contentBase64: Buffer.from('%PDF-1.4 a').toString('base64') });
    const form = (attachmentIds: string[] = []) => ({ applicant: { kind: 'organisation', name: 'ООО А', inn: '7701234567', ogrn: '1027700000001' }, objectAddress: 'г. А', requestedPowerKw: '15', attachmentIds });
    const application = (await a.call('POST', '/api/applications', form([file.json().id]))).json().id as string;
    expect((await a.call('POST', `/api/applications/${application}/submit`)).statusCode).toBe(200);
    const pdf = Buffer.from('%PDF-1.4 договор А');
    const documentId = randomUUID();
    const events = [randomUUID(), randomUUID()];
    await front.publish('cabinet.evt.application.status-changed', { applicationId: application, userRef: a.userId, status: 'contract_issued', seq: 2, at: new Date().toISOString() }, events[0]);
    await front.publish('cabinet.evt.document.issued', { documentId, applicationId: application, userRef: a.userId, kind: 'contract', title: 'Договор', fileName: 'd.pdf', pdfBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex'), allowSimpleSignature: true, issuedAt: new Date().toISOString() }, events[1]);
    await front.applied(events);
    const challenge = await a.call('POST', `/api/documents/${documentId}/simple-signature`);
    expect(challenge.statusCode, challenge.body).toBe(202);
    const draft = async () => (await a.call('POST', '/api/applications', form())).json().id as string;
    const support = async () => (await a.call('POST', '/api/requests', { kind: 'support', subject: 'тема', text: 'текст', fields: {} })).json().id as string;
    Object.assign(ids, { applicationId: application, attachmentId: file.json().id, documentId, challengeId: challenge.json().challengeId, requestId: await support() });
    routeIds['PATCH /api/applications/:applicationId'] = { applicationId: await draft() };
    routeIds['POST /api/applications/:applicationId/submit'] = { applicationId: await draft() };
    routeIds['POST /api/applications/:applicationId/withdraw'] = { applicationId: await draft() };
    routeIds['POST /api/requests/:requestId/close'] = { requestId: await support() };
    Object.assign(bodies, {
      'PATCH /api/applications/:applicationId': { comment: 'изменено' },
      'POST /api/applications/:applicationId/submit': {},
      'POST /api/applications/:applicationId/messages': { text: 'вопрос' },
      'POST /api/applications/:applicationId/withdraw': {},
      'POST /api/documents/:documentId/signatures': { signatureBase64: opensslSign(pdf, signer).toString('base64') },
      'POST /api/documents/:documentId/simple-signature': {},
      'POST /api/documents/:documentId/simple-signature/:challengeId/confirm': { code: front.otp.lastCodeFor('a@access.test') },
      'POST /api/requests/:requestId/messages': { text: 'ещё' },
      'POST /api/requests/:requestId/close': {},
      'PUT /api/consumers/:consumerRef/alert-settings': { debt: false },
    });
  }
  afterAll(async () => {
    await front.close();
    await bank?.close();
  });

  const consumerRoutes = () =>
    // Every route a logged-in consumer can reach: consumer-role routes and those open to any session.
    front.app.routeTable().filter((r) => r.access === 'authenticated' || (typeof r.access === 'object' && r.access.roles.includes('consumer')));

  it('has consumer routes with ids to check', () => {
    expect(consumerRoutes().filter((r) => r.url.includes(':')).length).toBeGreaterThanOrEqual(12);
  });

  it('answers 404 to B and 2xx to A on every consumer route with an id in the path', async () => {
    const openapi = (await front.app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
    const failures: string[] = [];
    for (const route of consumerRoutes().filter((r) => r.url.includes(':'))) {
      const names = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      const unknown = names.filter((n) => !ids[n]);
      if (unknown.length) {
        failures.push(`${route.method} ${route.url}: no id of consumer A for ${unknown.join(', ')} — add it to this test`);
        continue;
      }
      const path = route.url.replace(/:([A-Za-z]+)/g, (_, n: string) => encodeURIComponent(routeIds[`${route.method} ${route.url}`]?.[n] ?? ids[n]!));
      const query = requiredQuery(openapi, route.method, route.url).map((q) => `${q}=${encodeURIComponent(queryValues[q] ?? ids[q] ?? '')}`).join('&');
      const url = query ? `${path}?${query}` : path;
      const key = `${route.method} ${route.url}`;
      if (route.method !== 'GET' && !(key in bodies)) {
        failures.push(`${key}: no request body for this test — add one to \`bodies\``);
        continue;
      }
      const asB = await b.call(route.method as Method, url, bodies[key]);
      const asA = await a.call(route.method as Method, url, bodies[key]);
      if (asB.statusCode !== 404) failures.push(`${key}: B got ${asB.statusCode}, expected 404`);
      if (asA.statusCode >= 300) failures.push(`${key}: A got ${asA.statusCode} (${asA.body.slice(0, 120)}) — the ids of this test are wrong`);
    }
    expect(failures).toEqual([]);
  });

  it('shows B nothing of A on every consumer list route, whatever ids B puts in the filters', async () => {
    const openapi = (await front.app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
    const failures: string[] = [];
    const lists = consumerRoutes().filter((r) => r.method === 'GET' && !r.url.includes(':'));
    expect(lists.length).toBeGreaterThanOrEqual(8);
    for (const route of lists) {
      const params = queryParams(openapi, route.method, route.url).filter((p) => ids[p]);
      const url = params.length ? `${route.url}?${params.map((p) => `${p}=${encodeURIComponent(ids[p]!)}`).join('&')}` : route.url;
      const res = await b.call('GET', url);
      if (res.statusCode !== 200) {
        failures.push(`${route.url}: B got ${res.statusCode}`);
        continue;
      }
      // Nothing of consumer A in the answer: no id of A's rows, no consumerRef of A.
      const leaked = Object.values(ids).filter((id) => res.body.includes(`"${id}"`));
      if (leaked.length) failures.push(`${url}: B sees ${leaked.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers 404 when B submits readings for A\'s meter, and stores nothing', async () => {
    const before = (await front.db.selectFrom('readings').select('id').execute()).length;
    const res = await b.call('POST', '/api/readings', { readings: [{ meterId: 'a-m1', zone: 'T1', date: '2026-03-19', value: '1200' }] });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'meter_not_found', errors: [{ field: 'readings/0/meterId' }] });
    expect((await front.db.selectFrom('readings').select('id').execute()).length).toBe(before);
  });

  it('refuses every consumer route without a session', async () => {
    for (const route of consumerRoutes()) {
      const url = route.url.replace(/:([A-Za-z]+)/g, 'x');
      const res = await front.app.inject({ method: route.method as Method, url });
      expect([401, 400], `${route.method} ${route.url}`).toContain(res.statusCode);
    }
  });
});

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }> }>>;
}

const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

function queryParams(doc: OpenApi, method: string, url: string): string[] {
  return (doc.paths[openApiPath(url)]?.[method.toLowerCase()]?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
}

function requiredQuery(doc: OpenApi, method: string, url: string): string[] {
  return (doc.paths[openApiPath(url)]?.[method.toLowerCase()]?.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => p.name);
}
