import { backOfficeRoleHierarchy, cabinetBackMigrations, createCabinetBackApp, demoBackOfficeStaff, seedCabinetBackDemo } from '@app/cabinet-back';
import { effectiveRoles, fastHashingForTests, type HttpApp, type RoleHierarchy, type RouteAccess } from '@app/kernel';
import { createTestRuntime, loginWithTotp, testConfig } from '@app/kernel/testing';
import { createPrepaidApp, demoStaff, prepaidMigrations, prepaidRoleHierarchy, seedPrepaidDemo } from '@app/prepaid';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The authorization matrix, generated from each service's route table (every route declares who may call
 * it; a route without a declaration stops the app): every route × every staff role × no session. A role
 * the declaration (with the role hierarchy) does not admit must get 403 `forbidden` before anything else
 * happens — a made-up id, an empty body, it does not matter; an admitted role must get past the guard (any
 * answer but 401 and `forbidden`); without a session every non-public route answers 401. A route that checks
 * less than it declares, or a handler reachable around the guard, fails here.
 */
type Login = { login: string; password: string; roles: readonly string[] };
const ID = '00000000-0000-4000-8000-000000000000';
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function sessionsFor(app: HttpApp, users: readonly Login[]) {
  const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};
  for (const user of users) {
    const res = await loginWithTotp(app, { login: user.login, password: user.password }, { remoteAddress: `10.7.0.${Object.keys(sessions).length + 1}` });
    sessions[user.login] = { cookies: res.cookies, csrf: res.csrf };
  }
  return sessions;
}

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, ID).replace(/\*$/, 'x');
const admits = (access: RouteAccess['access'], roles: readonly string[], hierarchy: RoleHierarchy) =>
  access === 'public' || access === 'authenticated' || access.roles.some((r) => effectiveRoles(roles, hierarchy).has(r));

async function checkMatrix(app: HttpApp, users: readonly Login[], hierarchy: RoleHierarchy) {
  const sessions = await sessionsFor(app, users);
  const routes = app.routeTable().filter((r) => r.access !== 'public' && !r.url.startsWith('/auth/'));
  expect(routes.length).toBeGreaterThan(10);
  const wrong: string[] = [];
  let checked = 0;
  for (const route of routes) {
    const method = route.method as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    const url = concrete(route.url);
    const payload = method === 'GET' || method === 'DELETE' ? undefined : {};
    const anonymous = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    if (anonymous.statusCode !== 401) wrong.push(`${route.method} ${route.url} without a session: ${anonymous.statusCode}, expected 401`);
    for (const user of users) {
      const s = sessions[user.login]!;
      const res = await app.inject({ method, url, cookies: s.cookies, headers: { 'x-csrf-token': s.csrf }, ...(payload ? { payload } : {}) });
      const forbidden = res.statusCode === 403 && (res.json() as { code?: string }).code === 'forbidden';
      const expected = admits(route.access, user.roles, hierarchy);
      if (expected && (forbidden || res.statusCode === 401)) wrong.push(`${route.method} ${route.url} as ${user.login}: ${res.statusCode}, the declaration admits ${user.roles.join(',')}`);
      if (!expected && !forbidden) wrong.push(`${route.method} ${route.url} as ${user.login}: ${res.statusCode} ${res.body.slice(0, 80)}, expected 403 forbidden`);
      checked++;
    }
  }
  expect(wrong).toEqual([]);
  return checked;
}

describe('authorization matrix over every route and role', () => {
  it('prepaid: admin, manager, settlement, operator', async () => {
    const runtime = await createTestRuntime('prepaid', prepaidMigrations);
    closers.push(() => runtime.close());
    await seedPrepaidDemo(runtime.database, fastHashingForTests);
    const app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
    closers.push(() => app.close());
    await app.ready();
    const checked = await checkMatrix(app, demoStaff, prepaidRoleHierarchy);
    expect(checked).toBeGreaterThan(4 * 40);
  }, 240_000);

  it('cabinet-back: admin, supervisor, employee', async () => {
    const runtime = await createTestRuntime('cabinet-back', cabinetBackMigrations);
    closers.push(() => runtime.close());
    await seedCabinetBackDemo(runtime.database, fastHashingForTests);
    const app = await createCabinetBackApp(runtime, testConfig, { hashing: fastHashingForTests });
    closers.push(() => app.close());
    await app.ready();
    await checkMatrix(app, demoBackOfficeStaff, backOfficeRoleHierarchy);
  }, 240_000);
});
