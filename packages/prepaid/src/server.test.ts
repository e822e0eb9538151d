import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPrepaidDemo, demoStaff } from './demo.js';
import { prepaidMigrations } from './migrations.js';
import { createPrepaidApp } from './server.js';

describe('prepaid app: staff access', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let app: HttpApp;
  beforeAll(async () => {
    runtime = await createTestRuntime('prepaid', prepaidMigrations);
    await seedPrepaidDemo(runtime.database, fastHashingForTests);
    app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
  });

  const loginAs = async (login: string) => {
    const user = demoStaff.find((u) => u.login === login)!;
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login, password: user.password } });
    expect(res.statusCode).toBe(200);
    return { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken as string };
  };

  it('lets a manager (above settlement and operator) create a staff user and journals it', async () => {
    const { cookies, csrf } = await loginAs('manager');
    const res = await app.inject({
      method: 'POST',
      url: '/api/staff/users',
      cookies,
      headers: { 'x-csrf-token': csrf },
      payload: { login: 'new.operator', displayName: 'Новый оператор', password: 'a long passphrase', roles: ['operator'] },
    });
    expect(res.statusCode).toBe(201);
    const { rows } = await sql`select actor_login, target_id from audit_log where action = 'user.create'`.execute(runtime.database.db);
    expect(rows).toEqual([{ actor_login: 'manager', target_id: res.json().id }]);
  });

  it('refuses user management to an operator', async () => {
    const { cookies } = await loginAs('operator');
    const res = await app.inject({ method: 'GET', url: '/api/staff/users', cookies });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('declares access on every route it serves', () => {
    const table = app.routeTable();
    expect(table.length).toBeGreaterThan(5);
    expect(table.every((r) => r.access)).toBe(true);
    expect(table).toContainEqual({ method: 'POST', url: '/api/staff/users', access: { roles: ['admin', 'manager'] } });
  });
});
