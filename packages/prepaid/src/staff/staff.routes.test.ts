import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff, seedPrepaidDemo } from '../demo.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';

let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
type Session = { cookies: Record<string, string>; csrf: string };
const sessions: Record<string, Session> = {};

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.ready();
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    sessions[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
});
afterAll(async () => {
  await app.close();
  await runtime.close();
});

const as = (login: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  app.inject({ method, url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf }, ...(payload ? { payload: payload as object } : {}) });

describe('staff API', () => {
  it('runs a programme end to end by role: directories, client, account, card, credit, purchase at a terminal, statement', async () => {
    expect((await as('manager', 'POST', '/api/products', { code: 'meals', name: 'Питание', dailyDebitLimit: 50_000 })).statusCode).toBe(201);
    const merchant = (await as('manager', 'POST', '/api/merchants', { code: 'canteen-1', name: 'Столовая', products: ['meals'] })).json();
    const terminal = (await as('manager', 'POST', '/api/terminals', { code: 'T-1', merchantId: merchant.id })).json();
    expect(terminal.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const client = (await as('operator', 'POST', '/api/clients', { fullName: 'Сидорова Анна', phone: '+79001234567' })).json();
    const account = (await as('operator', 'POST', '/api/accounts', { clientId: client.id, products: ['meals'] })).json();
    expect((await as('operator', 'POST', `/api/accounts/${account.id}/identifiers`, { kind: 'card_uid', value: '04a2b3c4' })).statusCode).toBe(201);
    expect((await as('operator', 'GET', '/api/clients?q=04A2B3C4')).json().items).toMatchObject([{ fullName: 'Сидорова Анна', accounts: [account.number] }]);

    const credit = await as('settlement', 'POST', `/api/accounts/${account.id}/credits`, { idempotencyKey: 'credit-1', product: 'meals', amount: 30_000 });
    expect(credit.json()).toMatchObject({ status: 'approved', balances: [{ product: 'meals', balance: 30_000 }] });

    const purchase = await app.inject({
      method: 'POST',
      url: '/api/pos/v1/purchases',
      headers: { authorization: `Basic ${Buffer.from(`T-1:${terminal.secret}`).toString('base64')}` },
      payload: { idempotencyKey: 'p1', identifier: { kind: 'card_uid', value: '04A2B3C4' }, basket: [{ product: 'meals', amount: 12_000 }] },
    });
    expect(purchase.json()).toMatchObject({ status: 'approved', balances: [{ product: 'meals', balance: 18_000 }] });

    const statement = (await as('operator', 'GET', `/api/accounts/${account.id}/operations`)).json();
    expect(statement.items.map((i: { type: string; amount: number }) => [i.type, i.amount])).toEqual([
      ['purchase', -12_000],
      ['credit', 30_000],
    ]);

    const { rows } = await sql<{ action: string; actor_login: string }>`select action, actor_login from audit_log where action not like 'auth.%' order by id`.execute(runtime.database.db);
    expect(rows).toEqual([
      { action: 'product.create', actor_login: 'manager' },
      { action: 'merchant.create', actor_login: 'manager' },
      { action: 'terminal.create', actor_login: 'manager' },
      { action: 'client.create', actor_login: 'operator' },
      { action: 'account.open', actor_login: 'operator' },
      { action: 'identifier.bind', actor_login: 'operator' },
      { action: 'ledger.credit', actor_login: 'settlement' },
    ]);
  });

  it('sets wallet limits stricter than the product (manager only), and lists the stop-list', async () => {
    const provider = (await as('manager', 'POST', '/api/service-providers', { code: 'food-co', name: 'ООО «Питание»' })).json();
    await as('manager', 'POST', '/api/products', { code: 'own', name: 'Собственные' });
    const merchant = (await as('manager', 'POST', '/api/merchants', { code: 'buffet', name: 'Буфет', products: ['own'], providerId: provider.id })).json();
    expect(merchant.id).toBeDefined();
    const client = (await as('operator', 'POST', '/api/clients', { fullName: 'Орлов Олег' })).json();
    const account = (await as('operator', 'POST', '/api/accounts', { clientId: client.id, products: ['own'] })).json();
    await as('settlement', 'POST', `/api/accounts/${account.id}/credits`, { idempotencyKey: 'c-limits', product: 'own', amount: 10_000 });

    expect((await as('operator', 'PATCH', `/api/accounts/${account.id}/wallets/own/limits`, { perOperationLimit: 500 })).statusCode).toBe(403);
    expect((await as('manager', 'PATCH', `/api/accounts/${account.id}/wallets/own/limits`, { perOperationLimit: 500 })).statusCode).toBe(200);
    expect((await as('manager', 'PATCH', `/api/accounts/${account.id}/wallets/own/limits`, { maxBalance: 10_500 })).statusCode).toBe(200);
    const credit = await as('settlement', 'POST', `/api/accounts/${account.id}/credits`, { idempotencyKey: 'c-over', product: 'own', amount: 501 });
    expect(credit.json()).toEqual({ status: 'declined', code: 'limit_exceeded', product: 'own', limit: 'max_balance', remaining: 500 });

    const card = (await as('operator', 'POST', `/api/accounts/${account.id}/identifiers`, { kind: 'nfc', value: '11:22:33:44:55:66:77' })).json();
    expect(card.value).toBe('11223344556677');
    await as('operator', 'POST', `/api/identifiers/${card.id}/block`, { reason: 'stolen' });
    expect((await as('operator', 'GET', '/api/stop-list')).json().items).toContainEqual(expect.objectContaining({ kind: 'nfc', value: '11223344556677', reason: 'stolen' }));
  });

  it('edits directories and clients, refunds by staff, and a blocked terminal is refused at once', async () => {
    expect((await as('manager', 'POST', '/api/products', { code: 'snacks', name: 'Снеки' })).statusCode).toBe(201);
    expect((await as('manager', 'PATCH', '/api/products/snacks', { perOperationLimit: 5_000, name: 'Снеки и напитки' })).statusCode).toBe(200);
    const merchant = (await as('manager', 'POST', '/api/merchants', { code: 'kiosk', name: 'Киоск', products: [] })).json();
    expect((await as('manager', 'PATCH', `/api/merchants/${merchant.id}`, { products: ['snacks'] })).statusCode).toBe(200);
    const terminal = (await as('manager', 'POST', '/api/terminals', { code: 'T-KIOSK', merchantId: merchant.id })).json();
    const client = (await as('operator', 'POST', '/api/clients', { fullName: 'Иванов' })).json();
    expect((await as('operator', 'PATCH', `/api/clients/${client.id}`, { fullName: 'Иванов Иван', email: 'ivanov@example.ru' })).statusCode).toBe(200);
    const account = (await as('operator', 'POST', '/api/accounts', { clientId: client.id, products: ['snacks'] })).json();
    await as('operator', 'POST', `/api/accounts/${account.id}/identifiers`, { kind: 'employee_number', value: 'e-1001' });
    await as('settlement', 'POST', `/api/accounts/${account.id}/credits`, { idempotencyKey: 'c-snacks', product: 'snacks', amount: 10_000 });

    const pos = (body: object) =>
      app.inject({ method: 'POST', url: '/api/pos/v1/purchases', headers: { authorization: `Basic ${Buffer.from(`T-KIOSK:${terminal.secret}`).toString('base64')}` }, payload: body });
    expect((await pos({ idempotencyKey: 'k1', identifier: { kind: 'employee_number', value: 'E-1001' }, basket: [{ product: 'snacks', amount: 5_001 }] })).json()).toMatchObject({
      status: 'declined',
      code: 'limit_exceeded',
      limit: 'per_operation',
    });
    const bought = (await pos({ idempotencyKey: 'k2', identifier: { kind: 'employee_number', value: 'E-1001' }, basket: [{ product: 'snacks', amount: 4_000 }] })).json();
    expect(bought.status).toBe('approved');
    const refund = await as('settlement', 'POST', `/api/operations/${bought.operationId}/refund`, { idempotencyKey: 'r1', items: [{ product: 'snacks', amount: 1_500 }] });
    expect(refund.json()).toMatchObject({ status: 'approved', balances: [{ product: 'snacks', balance: 7_500 }] });

    expect((await as('manager', 'PATCH', `/api/terminals/${terminal.id}`, { status: 'blocked' })).statusCode).toBe(200);
    expect((await pos({ idempotencyKey: 'k3', identifier: { kind: 'employee_number', value: 'E-1001' }, basket: [{ product: 'snacks', amount: 1 }] })).json()).toEqual({
      status: 'declined',
      code: 'terminal_not_allowed',
    });
  });

  it.each([
    ['operator', 'POST', '/api/products', { code: 'x_denied', name: 'x' }],
    ['operator', 'POST', '/api/accounts/00000000-0000-4000-8000-000000000000/credits', { idempotencyKey: 'k', product: 'meals', amount: 1 }],
    ['settlement', 'POST', '/api/terminals', { code: 'T-X', merchantId: '00000000-0000-4000-8000-000000000000' }],
    ['admin', 'POST', '/api/clients', { fullName: 'Admin is not an operator' }],
  ] as const)('refuses %s calling %s %s', async (login, method, url, payload) => {
    const res = await as(login, method, url, payload);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('declares a role on every staff route', () => {
    const staffRoutes = app.routeTable().filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/pos/'));
    expect(staffRoutes.length).toBeGreaterThan(15);
    expect(staffRoutes.every((r) => typeof r.access === 'object' && r.access.roles.length > 0)).toBe(true);
  });
});
