import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPrepaidDemo, demoStaff } from '../demo.js';
import { createProgramme, newAccount } from '../ledger/fixture.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';

describe('partner REST API with API keys and scopes', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let app: HttpApp;
  let manager: { cookies: Record<string, string>; headers: Record<string, string> };
  let partnerId: string;
  let account: { id: string; number: string };

  const loginAs = async (login: string) => {
    const user = demoStaff.find((u) => u.login === login)!;
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login, password: user.password } });
    expect(res.statusCode).toBe(200);
    return { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), headers: { 'x-csrf-token': res.json().csrfToken as string } };
  };
  const issue = async (scopes: string[]) => {
    const res = await app.inject({ method: 'POST', url: `/api/partners/${partnerId}/keys`, ...manager, payload: { scopes, label: 'test' } });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; key: string };
  };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    runtime = await createTestRuntime('prepaid', prepaidMigrations);
    await seedPrepaidDemo(runtime.database, fastHashingForTests);
    app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
    await app.ready();
    const db = runtime.database.db as unknown as Kysely<PrepaidDb>;
    await createProgramme(db);
    account = await newAccount(db, 'Партнёрский Клиент');
    manager = await loginAs('manager');
    const res = await app.inject({ method: 'POST', url: '/api/partners', ...manager, payload: { code: 'hr-system', name: 'Кадровая система' } });
    expect(res.statusCode).toBe(201);
    partnerId = res.json().id;
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
  });

  it('shows an account and its balances to a key with accounts:read, and keeps only a hash of the secret', async () => {
    const { id, key } = await issue(['accounts:read']);
    const res = await app.inject({ method: 'GET', url: `/api/partner/v1/accounts/${account.number}`, headers: bearer(key) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ number: account.number, status: 'open' });
    expect(res.json().wallets.map((w: { product: string }) => w.product).sort()).toEqual(['meals', 'own']);
    const { rows } = await sql<{ secret_sha256: string }>`select secret_sha256 from partner_api_keys where id = ${id}`.execute(runtime.database.db);
    expect(rows[0]!.secret_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain(rows[0]!.secret_sha256);
  });

  it('credits a wallet once per idempotency key, and refuses the same key with another body', async () => {
    const { key } = await issue(['accounts:read', 'credits:write']);
    const credit = (amount: number, idempotencyKey = 'payroll-2026-11-001') =>
      app.inject({ method: 'POST', url: `/api/partner/v1/accounts/${account.number}/credits`, headers: bearer(key), payload: { idempotencyKey, product: 'own', amount } });
    const first = await credit(150_00);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'approved', amount: 150_00 });
    const again = await credit(150_00);
    expect(again.json().operationId).toBe(first.json().operationId);
    const conflicting = await credit(999_00);
    expect(conflicting.statusCode).toBe(409);
    expect(conflicting.json().code).toBe('idempotency_conflict');
    const balance = await app.inject({ method: 'GET', url: `/api/partner/v1/accounts/${account.number}`, headers: bearer(key) });
    expect(balance.json().wallets.find((w: { product: string }) => w.product === 'own').balance).toBe(150_00);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log where action = 'ledger.credit' and actor_login = 'partner:hr-system'`.execute(runtime.database.db);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it('answers a bad amount with a problem naming the field, and changes nothing', async () => {
    const { key } = await issue(['credits:write']);
    const res = await app.inject({ method: 'POST', url: `/api/partner/v1/accounts/${account.number}/credits`, headers: bearer(key), payload: { idempotencyKey: 'x1', product: 'own', amount: 12.5 } });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('amount');
  });

  it('refuses a route outside the key scopes (403) and every staff route (403)', async () => {
    const { key } = await issue(['accounts:read']);
    const credit = await app.inject({ method: 'POST', url: `/api/partner/v1/accounts/${account.number}/credits`, headers: bearer(key), payload: { idempotencyKey: 'k2', product: 'own', amount: 100 } });
    expect(credit.statusCode).toBe(403);
    const staff = await app.inject({ method: 'GET', url: '/api/products', headers: bearer(key) });
    expect(staff.statusCode).toBe(403);
  });

  it('refuses partner routes to staff sessions, even a manager', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/partner/v1/accounts/${account.number}`, ...manager });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a malformed, unknown, revoked or expired key with 401 and a stable code', async () => {
    const url = `/api/partner/v1/accounts/${account.number}`;
    expect((await app.inject({ method: 'GET', url, headers: bearer('nonsense') })).json().code).toBe('invalid_api_key');
    const { id, key } = await issue(['accounts:read']);
    const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await app.inject({ method: 'GET', url, headers: bearer(forged) })).statusCode).toBe(401);
    const revoke = await app.inject({ method: 'POST', url: `/api/partners/${partnerId}/keys/${id}/revoke`, ...manager });
    expect(revoke.statusCode).toBe(200);
    const revoked = await app.inject({ method: 'GET', url, headers: bearer(key) });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().code).toBe('api_key_revoked');
    const expired = await app.inject({ method: 'POST', url: `/api/partners/${partnerId}/keys`, ...manager, payload: { scopes: ['accounts:read'], expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect((await app.inject({ method: 'GET', url, headers: bearer(expired.json().key) })).json().code).toBe('api_key_revoked');
  });

  it('lets only a manager issue keys', async () => {
    const operator = await loginAs('operator');
    const res = await app.inject({ method: 'POST', url: `/api/partners/${partnerId}/keys`, ...operator, payload: { scopes: ['accounts:read'] } });
    expect(res.statusCode).toBe(403);
  });

  it('takes a credit registry as the request body, applies it once, and shows it only to the partner that sent it', async () => {
    const { key } = await issue(['registries:write', 'accounts:read']);
    const csv = `line_id;account_number;product;amount\n1;${account.number};meals;12,50\n2;${account.number};own;1 000.00\n3;${account.number};own;1e3\n`;
    const send = (k: string) =>
      app.inject({ method: 'POST', url: '/api/partner/v1/registries?kind=credits&number=2026-11-01&format=csv&apply=true', headers: { ...bearer(k), 'content-type': 'text/csv' }, payload: csv });
    const first = await send(key);
    expect(first.statusCode, first.body).toBe(201);
    const id = first.json().registry.id as string;
    let status = first.json().registry.status as string;
    for (let i = 0; i < 100 && status === 'applying'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await app.inject({ method: 'GET', url: `/api/partner/v1/registries/${id}`, headers: bearer(key) })).json().status;
    }
    const view = (await app.inject({ method: 'GET', url: `/api/partner/v1/registries/${id}`, headers: bearer(key) })).json();
    expect(view).toMatchObject({ status: 'applied', number: 'hr-system#2026-11-01', lines: { total: 3, applied: 2, skipped: 1 } });
    // Line numbers are the file's (the header is line 1), so a partner finds the line in its own file.
    const lines = (await app.inject({ method: 'GET', url: `/api/partner/v1/registries/${id}/lines`, headers: bearer(key) })).json();
    expect(lines.items.find((l: { lineNo: number }) => l.lineNo === 4).error.code).toBe('bad_amount');
    const balances = (await app.inject({ method: 'GET', url: `/api/partner/v1/accounts/${account.number}`, headers: bearer(key) })).json();
    const resent = await send(key);
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ duplicate: 'content', registry: { id } });
    const after = (await app.inject({ method: 'GET', url: `/api/partner/v1/accounts/${account.number}`, headers: bearer(key) })).json();
    expect(after).toEqual(balances);

    const other = await app.inject({ method: 'POST', url: '/api/partners', ...manager, payload: { code: 'other-system', name: 'Другая система' } });
    const otherKey = (await app.inject({ method: 'POST', url: `/api/partners/${other.json().id}/keys`, ...manager, payload: { scopes: ['registries:write'] } })).json().key as string;
    expect((await app.inject({ method: 'GET', url: `/api/partner/v1/registries/${id}`, headers: bearer(otherKey) })).statusCode).toBe(404);
    expect((await send(otherKey)).statusCode).toBe(409);
  });

  it('publishes the partner routes, the key scheme and the terminal scheme in the OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = res.json();
    expect(res.statusCode).toBe(200);
    expect(doc.components.securitySchemes.partnerKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/partner/v1/accounts/{number}/credits'].post.security).toEqual([{ partnerKey: [] }]);
    expect(doc.components.securitySchemes.terminal).toMatchObject({ type: 'http', scheme: 'basic' });
  });
});
