import { cabinetBackMigrations, createCabinetBackApp, demoBackOfficeStaff, seedCabinetBackDemo } from '@app/cabinet-back';
import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, loginWithTotp, testConfig } from '@app/kernel/testing';
import { createPrepaidApp, demoStaff, prepaidMigrations, seedPrepaidDemo } from '@app/prepaid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Hostile input on every route that takes it, generated from each service's OpenAPI document: SQL-injection
 * strings in every free-text query parameter (the answer is never a 500 and never shows more than a search
 * for a harmless string that matches nothing), oversized and malformed bodies (413 / 400 as problem+json with a
 * stable code, nothing stored). Run as the most privileged demo user, so no role check hides a route.
 */
const INJECTIONS = ["' OR '1'='1", "'; DROP TABLE users; --", "%' UNION SELECT login_key, password_hash FROM users --", '\\\' OR 1=1 --', '" OR ""="', '1; SELECT pg_sleep(5)'];
const ID = '00000000-0000-4000-8000-000000000000';

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: { type?: string; enum?: unknown[]; format?: string; pattern?: string; anyOf?: unknown[] } }> }>>;
}

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function service(name: 'prepaid' | 'cabinet-back') {
  const runtime = await createTestRuntime(name, name === 'prepaid' ? prepaidMigrations : cabinetBackMigrations);
  closers.push(() => runtime.close());
  let app: HttpApp;
  let login: { login: string; password: string };
  if (name === 'prepaid') {
    await seedPrepaidDemo(runtime.database, fastHashingForTests);
    app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
    login = demoStaff.find((u) => u.login === 'admin')!;
  } else {
    await seedCabinetBackDemo(runtime.database, fastHashingForTests);
    app = await createCabinetBackApp(runtime, testConfig, { hashing: fastHashingForTests });
    login = demoBackOfficeStaff.find((u) => u.login === 'supervisor')!;
  }
  closers.push(() => app.close());
  await app.ready();
  const { cookies, csrf } = await loginWithTotp(app, { login: login.login, password: login.password });
  return { app, cookies, csrf, openapi: (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi };
}

/** GET routes and their free-text query parameters (strings without enum, format or pattern). */
function textFilters(doc: OpenApi) {
  const out: Array<{ path: string; params: string[] }> = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    const params = (methods.get?.parameters ?? []).filter((p) => p.in === 'query' && p.schema?.type === 'string' && !p.schema.enum && !p.schema.format && !p.schema.pattern).map((p) => p.name);
    if (params.length) out.push({ path: path.replace(/\{[^}]+\}/g, ID), params });
  }
  return out;
}

for (const name of ['prepaid', 'cabinet-back'] as const) {
  describe(`${name}: hostile input`, () => {
    let s: Awaited<ReturnType<typeof service>>;
    beforeAll(async () => {
      s = await service(name);
    }, 120_000);
    const call = (method: 'GET' | 'POST', url: string, body?: string, contentType = 'application/json') =>
      s.app.inject({ method, url, cookies: s.cookies, headers: { 'x-csrf-token': s.csrf, ...(body !== undefined ? { 'content-type': contentType } : {}) }, ...(body !== undefined ? { payload: body } : {}) });

    it('answers SQL-injection strings in every free-text filter like a search that finds nothing', async () => {
      const filters = textFilters(s.openapi);
      if (name === 'prepaid') expect(filters.length).toBeGreaterThan(3);
      const wrong: string[] = [];
      for (const { path, params } of filters) {
        for (const param of params) {
          const plain = await call('GET', `${path}?${param}=${encodeURIComponent('zz-no-such-thing-zz')}`);
          for (const attack of INJECTIONS) {
            const started = Date.now();
            const res = await call('GET', `${path}?${param}=${encodeURIComponent(attack)}`);
            if (res.statusCode >= 500) wrong.push(`${path}?${param}=${attack}: ${res.statusCode}`);
            if (Date.now() - started > 4_000) wrong.push(`${path}?${param}=${attack}: slept`);
            if (res.statusCode === 200 && plain.statusCode === 200) {
              const total = (r: typeof res) => (r.json() as { total?: number; items?: unknown[] }).total ?? (r.json() as { items?: unknown[] }).items?.length;
              if ((total(res) ?? 0) > (total(plain) ?? 0)) wrong.push(`${path}?${param}=${attack}: ${total(res)} rows, a harmless search ${total(plain)}`);
            }
          }
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);

    it('refuses an oversized body with 413 and a malformed one with 400, as problem+json', async () => {
      const post = s.app.routeTable().find((r) => r.method === 'POST' && !r.url.startsWith('/auth') && typeof r.access === 'object')!;
      const url = post.url.replace(/:[A-Za-z]+/g, ID);
      const big = await call('POST', url, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }));
      expect(big.statusCode).toBe(413);
      expect(big.headers['content-type']).toContain('application/problem+json');
      for (const broken of ['{"a":', '{"a": 1,,}', '\u0000\u0001', '[1, 2']) {
        const res = await call('POST', url, broken);
        expect(res.statusCode, broken).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect((res.json() as { code: string }).code).toMatch(/^[a-z_]+$/);
      }
      const xml = await call('POST', url, '<a>1</a>', 'application/xml');
      expect([400, 415]).toContain(xml.statusCode);
    });
  });
}
