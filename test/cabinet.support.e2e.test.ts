import { randomBytes } from 'node:crypto';
import { demoBackOfficeStaff, demoBillingContracts } from '@app/cabinet-back';
import { loginWithTotp, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCabinetStack, type CabinetStack } from './support/cabinet-stack.js';

/**
 * Support "act as consumer" across the cabinet: a back-office employee with the support role (who
 * logged in with password + TOTP) asks the back for a read-only look at a consumer; the back writes
 * the grant to its outbox; it crosses the bus (RabbitMQ with AMQP_URL, each side on its own
 * connection; in-process otherwise) with only the token's hash; the employee's browser brings the
 * one-time link to the front, which opens a read-only session; the consumer sees the visit.
 */
let stack: CabinetStack;

beforeAll(async () => {
  stack = await startCabinetStack({ consumers: 3 });
}, 300_000);
afterAll(() => stack?.close());

const staff = (login: string) => demoBackOfficeStaff.find((u) => u.login === login)!;
const cookieHeader = (setCookie: string[]) => setCookie.map((c) => c.split(';')[0]).join('; ');

describe('support opens a consumer cabinet read-only: back → bus → front', () => {
  it('grants, enters once, looks but cannot change, and the consumer sees who and when', async () => {
    const { front, back, otp } = stack;
    const email = `support-${randomBytes(3).toString('hex')}@consumer.test`;
    const start = await front.inject({ method: 'POST', url: '/auth/register', payload: { email }, remoteAddress: '10.9.3.1' });
    await front.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code: otp.lastCodeFor(email), password: 'Support-Pass-2026' } });
    const consumer = await loginWithTotp(front, { login: email, password: 'Support-Pass-2026' }, { remoteAddress: '10.9.3.2' });
    const asConsumer = (method: 'GET' | 'POST', url: string, payload?: object) => front.inject({ method, url, cookies: consumer.cookies, headers: { 'x-csrf-token': consumer.csrf }, ...(payload ? { payload } : {}) });
    expect((await asConsumer('POST', '/api/links/by-secret', { contractNumber: demoBillingContracts.organisation.number, secret: demoBillingContracts.organisation.secret })).statusCode).toBe(202);
    const contract = await waitFor(async () => (await asConsumer('GET', '/api/contracts')).json().items[0] as { id: string; consumerRef: string } | undefined, { what: 'contract in the front', timeoutMs: 90_000 });

    // Staff log in with the second factor (enrolled at first login); only the support role may grant.
    const employee = await loginWithTotp(back, staff('employee'));
    const denied = await back.inject({ method: 'POST', url: '/api/back-office/support/grants', cookies: employee.cookies, headers: { 'x-csrf-token': employee.csrf }, payload: { consumerRef: contract.consumerRef, reason: 'проверка' } });
    expect(denied.statusCode).toBe(403);
    const support = await loginWithTotp(back, staff('support'));
    const asSupport = (method: 'GET' | 'POST', url: string, payload?: object) => back.inject({ method, url, cookies: support.cookies, headers: { 'x-csrf-token': support.csrf }, ...(payload ? { payload } : {}) });
    expect((await asSupport('POST', '/api/back-office/support/grants', { consumerRef: 'nobody-linked', reason: 'проверка' })).json().code).toBe('consumer_not_linked');
    const granted = await asSupport('POST', '/api/back-office/support/grants', { consumerRef: contract.consumerRef, reason: 'Звонок потребителя: не видит счёт' });
    expect(granted.statusCode, granted.body).toBe(201);
    const { url, token, grantId } = granted.json() as { url: string; token: string; grantId: string };
    expect(url).toContain(`/auth/support/enter?token=${token}`);
    const outbox = await sql<{ payload: unknown }>`select payload from outbox where message_id = ${grantId}`.execute(stack.backDb.db);
    expect(outbox.rows).toHaveLength(1);
    expect(JSON.stringify(outbox.rows[0]!.payload)).not.toContain(token); // only the hash crosses the bus

    // The employee's browser follows the link to the front (over HTTP, as a browser would).
    const enterUrl = `${stack.frontUrl}/auth/support/enter?token=${token}`;
    const entered = await waitFor(async () => {
      const res = await fetch(enterUrl, { redirect: 'manual' });
      return res.status === 303 ? res : undefined;
    }, { what: 'the grant arrived at the front and the link opens the cabinet', timeoutMs: 30_000 });
    const cookie = cookieHeader(entered.headers.getSetCookie());
    const csrf = /cabinet_csrf=([^;]+)/.exec(cookie)![1]!;
    const look = (method: 'GET' | 'POST', path: string, body?: object) =>
      fetch(`${stack.frontUrl}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const me = (await (await look('GET', '/auth/me')).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ restriction: 'read_only', actingAs: { login: 'support', name: 'Специалист поддержки' } });
    expect((await look('GET', `/api/contracts/${contract.id}`)).status).toBe(200);
    const invoices = await look('GET', `/api/invoices?contractId=${contract.id}&limit=1`);
    expect(invoices.status).toBe(200);
    const pay = await look('POST', '/api/payments/orders', { contractId: contract.id, amount: '10000' });
    expect(pay.status).toBe(403);
    expect(((await pay.json()) as { code: string }).code).toBe('read_only_session');
    expect((await fetch(enterUrl, { redirect: 'manual' })).status).toBe(401); // one time

    const visits = (await asConsumer('GET', `/api/consumers/${contract.consumerRef}/support-visits`)).json().items as Array<{ at: string; employee: { login: string; name: string }; reason: string }>;
    expect(visits).toHaveLength(1);
    expect(visits[0]).toMatchObject({ employee: { login: 'support', name: 'Специалист поддержки' }, reason: 'Звонок потребителя: не видит счёт' });
    const listed = (await asSupport('GET', `/api/back-office/support/grants?consumerRef=${contract.consumerRef}`)).json().items as Array<{ grantId: string }>;
    expect(listed.map((g) => g.grantId)).toContain(grantId);
  });
});
