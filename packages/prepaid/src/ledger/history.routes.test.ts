import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff, seedPrepaidDemo } from '../demo.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';
import { createProgramme, key, newAccount } from './fixture.js';
import { Ledger } from './ledger.service.js';

/** Staff API of issue 12: balance at a point in time, statement with opening balance, merchant balance, velocity rules. */
let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
let db: Database<PrepaidDb>;
const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  db = runtime.database as unknown as Database<PrepaidDb>;
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

const as = (login: string, method: 'GET' | 'PUT', url: string, payload?: unknown) =>
  app.inject({ method, url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf }, ...(payload ? { payload: payload as object } : {}) });
const tick = () => new Promise((r) => setTimeout(r, 15));

describe('ledger history routes', () => {
  it('answer the balance at an instant and a statement from its opening balance; a merchant balance to the kopeck', async () => {
    const ledger = new Ledger(db);
    const { canteen } = await createProgramme(db.db);
    const account = await newAccount(db.db);
    await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: 9_000 });
    await tick();
    const between = new Date().toISOString();
    await tick();
    await ledger.purchase({ key: key(), accountId: account.id, merchantId: canteen, basket: [{ product: 'own', amount: 2_500 }] });
    await tick();
    const after = new Date().toISOString();

    const then = (await as('operator', 'GET', `/api/accounts/${account.id}/balance?at=${encodeURIComponent(between)}`)).json();
    expect(then).toMatchObject({ at: between, balances: [{ product: 'meals', balance: 0 }, { product: 'own', balance: 9_000, fromSnapshot: null }] });
    const statement = (await as('operator', 'GET', `/api/accounts/${account.id}/wallets/own/statement?from=${encodeURIComponent(between)}&to=${encodeURIComponent(after)}`)).json();
    expect(statement).toMatchObject({ openingBalance: 9_000, closingBalance: 6_500, total: 1, lines: [{ type: 'purchase', amount: -2_500, balanceAfter: 6_500, merchantId: canteen }] });

    const bad = await as('operator', 'GET', `/api/accounts/${account.id}/wallets/own/statement?from=${encodeURIComponent(after)}&to=${encodeURIComponent(between)}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'period_invalid' });
    expect((await as('operator', 'GET', `/api/merchants/${canteen}/balance`)).statusCode).toBe(403);
    expect((await as('settlement', 'GET', `/api/merchants/${canteen}/balance`)).json()).toEqual({ merchantId: canteen, balances: [{ product: 'own', balance: 2_500 }] });
  });

  it('let a manager set velocity rules; an empty rule is refused naming the field', async () => {
    expect((await as('manager', 'PUT', '/api/products/own/velocity', { wallet: { windowSeconds: 600, count: 5 }, identifier: { windowSeconds: 60, amount: 10_000 } })).json()).toEqual({ ok: true });
    const empty = await as('manager', 'PUT', '/api/products/own/velocity', { wallet: { windowSeconds: 600 } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'velocity_rule_empty' });
    expect((await as('operator', 'PUT', '/api/products/own/velocity', { wallet: null })).statusCode).toBe(403);
    expect((await as('manager', 'PUT', '/api/products/own/velocity', { wallet: null, identifier: null })).json()).toEqual({ ok: true });
  });
});
