import { randomUUID } from 'node:crypto';
import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { Ledger } from '../ledger/ledger.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { prepaidMigrations } from '../migrations.js';
import { seedPrepaidDemo } from '../demo.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';
import { Terminals } from '../terminals/terminals.service.js';
import type { Database } from '@app/kernel';

let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
let db: Database<PrepaidDb>;
let canteenAuth: string;
let shopAuth: string;
let blockedAuth: string;
let identifiers: Identifiers;

const basic = (code: string, secret: string) => `Basic ${Buffer.from(`${code}:${secret}`).toString('base64')}`;
const uid = () => randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase();

async function cardholder(own = 10_000, meals = 40_000) {
  const account = await newAccount(db.db);
  const ledger = new Ledger(db);
  if (own) await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: own });
  if (meals) await ledger.credit({ key: key(), accountId: account.id, product: 'meals', amount: meals });
  const card = uid();
  const identifier = await identifiers.bind({ accountId: account.id, kind: 'card_uid', value: card.replace(/(..)/g, '$1:').slice(0, -1).toLowerCase() });
  return { account, card, identifier };
}

const purchase = (auth: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/pos/v1/purchases', headers: { authorization: auth }, payload: body });

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  db = runtime.database as unknown as Database<PrepaidDb>;
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.ready();
  const { canteen, shop } = await createProgramme(db.db);
  const terminals = new Terminals(db, runtime.cache);
  const t1 = await terminals.register({ code: `T-${uid()}`, merchantId: canteen });
  const t2 = await terminals.register({ code: `T-${uid()}`, merchantId: shop });
  const t3 = await terminals.register({ code: `T-${uid()}`, merchantId: canteen });
  await db.db.updateTable('terminals').set({ status: 'blocked' }).where('id', '=', t3.id).execute();
  canteenAuth = basic(t1.code, t1.secret);
  shopAuth = basic(t2.code, t2.secret);
  blockedAuth = basic(t3.code, t3.secret);
  identifiers = new Identifiers(db);
});
afterAll(async () => {
  await app.close();
  await runtime.close();
});

describe('POS API', () => {
  it('answers a balance inquiry per product, with what this merchant accepts', async () => {
    const { card } = await cardholder();
    const res = await app.inject({ method: 'GET', url: `/api/pos/v1/balance?kind=card_uid&value=${card}`, headers: { authorization: shopAuth } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'found',
      wallets: [
        { product: 'meals', balance: 40_000, available: 40_000, accepted: false },
        { product: 'own', balance: 10_000, available: 10_000, accepted: true },
      ],
    });
  });

  it('authorizes a basket split by product and answers with the new balances', async () => {
    const { card } = await cardholder();
    const res = await purchase(canteenAuth, { idempotencyKey: 'k1', identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'meals', amount: 25_000 }, { product: 'own', amount: 990 }] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'approved', amount: 25_990 });
    expect(res.json().balances).toEqual(expect.arrayContaining([{ product: 'meals', balance: 15_000 }, { product: 'own', balance: 9_010 }]));
  });

  it.each([
    ['an unknown identifier', () => ({ kind: 'card_uid', value: 'DEADBEEF' }), [{ product: 'own', amount: 1 }], 'canteen', { code: 'unknown_identifier' }],
    ['more than the balance', null, [{ product: 'own', amount: 10_001 }], 'canteen', { code: 'insufficient_funds', product: 'own', available: 10_000 }],
    ['past the per-purchase limit', null, [{ product: 'meals', amount: 30_001 }], 'canteen', { code: 'limit_exceeded', limit: 'per_operation' }],
    ['a product this merchant does not accept', null, [{ product: 'meals', amount: 100 }], 'shop', { code: 'product_not_accepted', product: 'meals' }],
    ['a blocked terminal', null, [{ product: 'own', amount: 1 }], 'blocked', { code: 'terminal_not_allowed' }],
  ])('declines %s with a stable code', async (_name, identifier, basket, auth, decline) => {
    const { card } = await cardholder();
    const authorization = auth === 'shop' ? shopAuth : auth === 'blocked' ? blockedAuth : canteenAuth;
    const res = await purchase(authorization, { idempotencyKey: key(), identifier: identifier?.() ?? { kind: 'card_uid', value: card }, basket });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'declined', ...decline });
  });

  it('declines a blocked (lost) card, and its re-issued replacement works', async () => {
    const { card, identifier } = await cardholder();
    const fresh = uid();
    await identifiers.reissue(identifier.id, 'lost', { kind: 'card_uid', value: fresh });
    expect((await purchase(canteenAuth, { idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1 }] })).json()).toEqual({ status: 'declined', code: 'identifier_blocked' });
    expect((await purchase(canteenAuth, { idempotencyKey: key(), identifier: { kind: 'card_uid', value: fresh }, basket: [{ product: 'own', amount: 1 }] })).json().status).toBe('approved');
    await expect(identifiers.bind({ accountId: identifier.id, kind: 'card_uid', value: card })).rejects.toMatchObject({ code: 'identifier_stop_listed' });
  });

  it('is idempotent by the terminal key: same body same answer once, different body refused', async () => {
    const { card, account } = await cardholder();
    const body = { idempotencyKey: `retry-${uid()}`, identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 500 }] };
    const first = await purchase(canteenAuth, body);
    const again = await purchase(canteenAuth, body);
    expect(again.json()).toEqual(first.json());
    const different = await purchase(canteenAuth, { ...body, basket: [{ product: 'own', amount: 501 }] });
    expect(different.statusCode).toBe(409);
    expect(different.json()).toMatchObject({ code: 'idempotency_conflict' });
    const wallet = await db.db.selectFrom('wallets').select('balance').where('account_id', '=', account.id).where('product_code', '=', 'own').executeTakeFirstOrThrow();
    expect(wallet.balance).toBe(9_500n);
  });

  it('reverses and refunds its own purchases only', async () => {
    const { card } = await cardholder();
    const p1 = (await purchase(canteenAuth, { idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1_000 }] })).json();
    const foreign = await app.inject({ method: 'POST', url: `/api/pos/v1/purchases/${p1.operationId}/reversal`, headers: { authorization: shopAuth }, payload: { idempotencyKey: key() } });
    expect(foreign.json()).toEqual({ status: 'declined', code: 'terminal_not_allowed' });
    const refund = await app.inject({ method: 'POST', url: `/api/pos/v1/purchases/${p1.operationId}/refund`, headers: { authorization: canteenAuth }, payload: { idempotencyKey: key(), items: [{ product: 'own', amount: 400 }] } });
    expect(refund.json()).toMatchObject({ status: 'approved', amount: 400, balances: [{ product: 'own', balance: 9_400 }] });
    const reversal = await app.inject({ method: 'POST', url: `/api/pos/v1/purchases/${p1.operationId}/reversal`, headers: { authorization: canteenAuth }, payload: { idempotencyKey: key() } });
    expect(reversal.json()).toEqual({ status: 'declined', code: 'refund_exceeds_purchase' });
  });

  it('refuses bad input with problem+json naming the field, and changes nothing', async () => {
    const { card } = await cardholder();
    const before = (await sql<{ n: number }>`select count(*)::int as n from operations`.execute(db.db)).rows[0]!.n;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: -5 }] }, 'basket/0/amount'],
      [{ idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 10.5 }] }, 'basket/0/amount'],
      [{ idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: Array.from({ length: 21 }, () => ({ product: 'own', amount: 1 })) }, 'basket'],
      [{ idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'Own Funds', amount: 1 }] }, 'basket/0/product'],
      [{ idempotencyKey: key(), identifier: { kind: 'palm', value: card }, basket: [{ product: 'own', amount: 1 }] }, 'identifier/kind'],
      [{ identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1 }] }, 'idempotencyKey'],
    ];
    for (const [body, field] of cases) {
      const res = await purchase(canteenAuth, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unknown = await purchase(canteenAuth, { idempotencyKey: key(), identifier: { kind: 'card_uid', value: card }, basket: [{ product: 'own', amount: 1 }, { product: 'gold', amount: 1 }] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'unknown_product', errors: [{ field: 'basket/1/product' }] });
    const malformed = await purchase(canteenAuth, { idempotencyKey: key(), identifier: { kind: 'card_uid', value: 'not-hex!' }, basket: [{ product: 'own', amount: 1 }] });
    expect(malformed.json()).toMatchObject({ status: 400, code: 'identifier_malformed', errors: [{ field: 'identifier/value' }] });
    expect((await sql<{ n: number }>`select count(*)::int as n from operations`.execute(db.db)).rows[0]!.n).toBe(before);
  });

  it('refuses a wrong terminal secret, no credentials, and a staff session', async () => {
    const body = { idempotencyKey: key(), identifier: { kind: 'card_uid', value: 'DEADBEEF' }, basket: [{ product: 'own', amount: 1 }] };
    expect((await purchase(basic('T-NOPE', 'x'), body)).json()).toMatchObject({ status: 401, code: 'terminal_unauthenticated' });
    expect((await app.inject({ method: 'POST', url: '/api/pos/v1/purchases', payload: body })).statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: 'manager', password: 'Prepaid-2026!' } });
    const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
    const staff = await app.inject({ method: 'POST', url: '/api/pos/v1/purchases', cookies, headers: { 'x-csrf-token': login.json().csrfToken }, payload: body });
    expect(staff.statusCode).toBe(403);
  });
});
