import { randomUUID } from 'node:crypto';
import { fastHashingForTests, type Database, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import { Ledger } from '../ledger/ledger.service.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';
import { Terminals } from '../terminals/terminals.service.js';

/** The POS API of two-phase purchases: hold, completion, void, by the terminal's merchant only, idempotent by key. */
let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
let db: Database<PrepaidDb>;
let canteenAuth: string;
let shopAuth: string;

const basic = (code: string, secret: string) => `Basic ${Buffer.from(`${code}:${secret}`).toString('base64')}`;
const uid = () => randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase();
const post = (auth: string, url: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/pos/v1${url}`, headers: { authorization: auth }, payload });

async function card(meals = 40_000) {
  const account = await newAccount(db.db);
  await new Ledger(db).credit({ key: key(), accountId: account.id, product: 'meals', amount: meals });
  const value = uid();
  await new Identifiers(db).bind({ accountId: account.id, kind: 'card_uid', value });
  return { account, identifier: { kind: 'card_uid', value } };
}

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  db = runtime.database as unknown as Database<PrepaidDb>;
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.ready();
  const { canteen, shop } = await createProgramme(db.db);
  const terminals = new Terminals(db, runtime.cache);
  const t1 = await terminals.register({ code: `T-${uid()}`, merchantId: canteen });
  const t2 = await terminals.register({ code: `T-${uid()}`, merchantId: shop });
  canteenAuth = basic(t1.code, t1.secret);
  shopAuth = basic(t2.code, t2.secret);
});
afterAll(async () => {
  await app.close();
  await runtime.close();
});

describe('POS holds', () => {
  it('hold, then complete partly; replays answer the same; another merchant cannot touch it', async () => {
    const { identifier } = await card();
    const held = await post(canteenAuth, '/holds', { idempotencyKey: 'h-1', identifier, product: 'meals', amount: 25_000, ttlSeconds: 300 });
    expect(held.statusCode).toBe(200);
    const h = held.json();
    expect(h).toMatchObject({ status: 'approved', holdStatus: 'active', amount: 25_000, heldAmount: 25_000, balances: [{ product: 'meals', balance: 15_000 }] });
    expect(h.holdId).toBe(h.operationId);
    expect(new Date(h.expiresAt).getTime() - Date.now()).toBeGreaterThan(250_000);
    expect((await post(canteenAuth, '/holds', { idempotencyKey: 'h-1', identifier, product: 'meals', amount: 25_000, ttlSeconds: 300 })).json()).toEqual(h);
    expect((await post(canteenAuth, '/holds', { idempotencyKey: 'h-1', identifier, product: 'meals', amount: 1, ttlSeconds: 300 })).json()).toMatchObject({ code: 'idempotency_conflict' });

    expect((await post(shopAuth, `/holds/${h.holdId}/completion`, { idempotencyKey: 'c-1' })).json()).toMatchObject({ status: 'declined', code: 'terminal_not_allowed' });
    const done = (await post(canteenAuth, `/holds/${h.holdId}/completion`, { idempotencyKey: 'c-1', amount: 20_000 })).json();
    expect(done).toMatchObject({ status: 'approved', holdId: h.holdId, holdStatus: 'completed', amount: 20_000, heldAmount: 25_000, balances: [{ product: 'meals', balance: 20_000 }] });
    expect(done.operationId).not.toBe(h.holdId);
    expect((await post(canteenAuth, `/holds/${h.holdId}/completion`, { idempotencyKey: 'c-1', amount: 20_000 })).json()).toEqual(done);
    expect((await post(canteenAuth, `/holds/${h.holdId}/void`, { idempotencyKey: 'v-1' })).json()).toMatchObject({ status: 'declined', code: 'hold_not_active', holdStatus: 'completed' });
    const view = (await app.inject({ method: 'GET', url: `/api/pos/v1/holds/${h.holdId}`, headers: { authorization: canteenAuth } })).json();
    expect(view).toMatchObject({ status: 'found', holdStatus: 'completed', amount: 25_000, completedAmount: 20_000, purchaseOperationId: done.operationId });
    // The completed amount is a purchase like any other: the terminal refunds it by its operation id.
    expect((await post(canteenAuth, `/purchases/${done.operationId}/refund`, { idempotencyKey: 'r-1', items: [{ product: 'meals', amount: 5_000 }] })).json()).toMatchObject({ status: 'approved', amount: 5_000 });
  });

  it('void gives all back; declines keep their stable codes; bad input is problem+json naming the field', async () => {
    const { identifier } = await card(10_000);
    const h = (await post(canteenAuth, '/holds', { idempotencyKey: 'h-2', identifier, product: 'meals', amount: 9_000 })).json();
    expect((await post(canteenAuth, `/holds/${h.holdId}/void`, { idempotencyKey: 'v-2' })).json()).toMatchObject({ status: 'approved', holdStatus: 'voided', amount: 9_000, balances: [{ product: 'meals', balance: 10_000 }] });
    expect((await post(canteenAuth, '/holds', { idempotencyKey: 'h-3', identifier, product: 'meals', amount: 10_001 })).json()).toMatchObject({ status: 'declined', code: 'insufficient_funds' });
    expect((await post(shopAuth, '/holds', { idempotencyKey: 'h-4', identifier, product: 'meals', amount: 100 })).json()).toMatchObject({ status: 'declined', code: 'product_not_accepted' });
    expect((await post(canteenAuth, '/holds', { idempotencyKey: 'h-5', identifier: { kind: 'card_uid', value: 'FFFF0000' }, product: 'meals', amount: 100 })).json()).toMatchObject({ code: 'unknown_identifier' });
    expect((await post(canteenAuth, `/holds/${randomUUID()}/completion`, { idempotencyKey: 'c-9' })).json()).toMatchObject({ status: 'declined', code: 'hold_not_found' });
    const bad = await post(canteenAuth, '/holds', { idempotencyKey: 'h-6', identifier, product: 'meals', amount: 100, ttlSeconds: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.stringify(bad.json())).toMatch(/ttlSeconds/);
    const unknown = await post(canteenAuth, '/holds', { idempotencyKey: 'h-7', identifier, product: 'gold', amount: 100 });
    expect(unknown.json()).toMatchObject({ code: 'unknown_product' });
  });

  it('are in the OpenAPI document with the terminal security scheme', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/api/pos/v1/holds', '/api/pos/v1/holds/{holdId}/completion', '/api/pos/v1/holds/{holdId}/void', '/api/pos/v1/holds/{holdId}']) expect(doc.paths[path]).toBeDefined();
    expect(doc.paths['/api/pos/v1/holds'].post.security).toEqual([{ terminal: [] }]);
    for (const path of ['/api/accounts/{id}/balance', '/api/accounts/{id}/wallets/{product}/statement', '/api/merchants/{id}/balance', '/api/products/{code}/velocity']) expect(doc.paths[path]).toBeDefined();
  });
});
