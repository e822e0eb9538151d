import { randomBytes } from 'node:crypto';
import { sql, type Generated } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../cache/cache.js';
import { createHttpApp, type HttpApp } from '../http/app.js';
import { createLogger } from '../log/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { recordAudit, auditContext } from './audit.js';
import { registerAuth } from './auth.plugin.js';
import { fastHashingForTests } from './password.js';
import type { AuthTables } from './tables.js';
import { createUser } from './users.js';

const PASSWORD = 'correct horse battery';
const hierarchy = { manager: ['settlement'], settlement: ['operator'] };

describe('auth', () => {
  let database: TestDatabase<AuthTables & { notes: { id: Generated<number>; text: string } }>;
  let cache: Cache;
  let app: HttpApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    await sql`create table notes (id serial primary key, text text not null)`.execute(database.db);
    cache = createCache({ url: process.env.REDIS_URL, prefix: `auth-test-${randomBytes(4).toString('hex')}:` });
    app = await createHttpApp({ service: 'test', title: 'T', logger: createLogger({ service: 'test', level: 'silent' }), roleHierarchy: hierarchy });
    await registerAuth(app, {
      database,
      cache,
      settings: { sessionTtlMinutes: 60, maxFailures: 3, lockoutMinutes: 15, cookieSecure: false, attemptsPerMinutePerIp: 8, hashing: fastHashingForTests },
    });
    app.post(
      '/notes',
      { config: { access: { roles: ['operator'] } }, schema: { body: Type.Object({ text: Type.String() }) } },
      async (request, reply) => {
        await database.transaction(async (trx) => {
          const row = await trx.insertInto('notes').values({ text: request.body.text }).returning('id').executeTakeFirstOrThrow();
          await recordAudit(trx, { ...auditContext(request), action: 'note.create', targetType: 'note', targetId: String(row.id) });
        });
        return reply.status(201).send({ ok: true });
      },
    );
    app.get('/settlement-only', { config: { access: { roles: ['settlement'] } } }, async () => ({ ok: true }));
    await app.ready();
    for (const [login, roles] of [['olga', ['operator']], ['maria', ['manager']], ['lock.me', ['operator']], ['rate', ['operator']]] as const) {
      await createUser(database.db, { login, password: PASSWORD, displayName: login, roles: [...roles] }, { hashing: fastHashingForTests });
    }
  });
  afterAll(async () => {
    await app.close();
    await cache.close();
    await database.close();
  });

  let ipCounter = 0;
  const freshIp = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
  let ip: string;
  beforeEach(() => {
    ip = freshIp();
  });

  const login = (name: string, password = PASSWORD, cookies: Record<string, string> = {}, remoteAddress = ip) =>
    app.inject({ method: 'POST', url: '/auth/login', payload: { login: name, password }, cookies, remoteAddress });
  const cookiesOf = (res: Awaited<ReturnType<typeof login>>) => Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
  const auditRows = (action: string) =>
    database.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

  it('logs in with the right password and sets an HttpOnly SameSite=Strict session cookie', async () => {
    const res = await login('Olga');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ login: 'olga', roles: ['operator'] });
    const sid = res.cookies.find((c) => c.name === 'sid')!;
    expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const me = await app.inject({ method: 'GET', url: '/auth/me', cookies: { sid: sid.value } });
    expect(me.json().login).toBe('olga');
    const rows = await database.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(sid.value);
  });

  it('refuses a wrong password and an unknown login alike, with an audit row for each', async () => {
    const wrong = await login('olga', 'not the password');
    const unknown = await login('nobody', 'whatever');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'invalid_credentials', detail: 'Wrong login or password' });
      expect(res.cookies).toEqual([]);
    }
    const failures = (await auditRows('auth.login')).filter((r) => r.outcome === 'failure');
    expect(failures.map((r) => [r.actor_login, r.details.reason])).toEqual(
      expect.arrayContaining([
        ['olga', 'wrong_password'],
        ['nobody', 'unknown_login'],
      ]),
    );
    expect(failures.every((r) => r.ip === ip || r.ip)).toBe(true);
  });

  it('locks the account after repeated failures, refusing even the right password until the lock ends', async () => {
    for (let i = 0; i < 3; i++) expect((await login('lock.me', 'wrong password', {}, freshIp())).statusCode).toBe(401);
    const locked = await login('lock.me', PASSWORD, {}, freshIp());
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('account_locked');
    expect((await auditRows('auth.locked')).map((r) => r.actor_login)).toContain('lock.me');
    // When the lock runs out the right password works and the counter starts again.
    await sql`update users set locked_until = now() - interval '1 second' where login_key = 'lock.me'`.execute(database.db);
    expect((await login('lock.me', PASSWORD, {}, freshIp())).statusCode).toBe(200);
    const user = await database.db.selectFrom('users').select(['failed_logins', 'locked_until']).where('login_key', '=', 'lock.me').executeTakeFirstOrThrow();
    expect(user).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('rate-limits login attempts per client address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await login(`guess${i}`, 'x')).statusCode);
    expect(codes.slice(0, 8).every((c) => c === 401)).toBe(true);
    expect(codes.slice(8)).toEqual([429, 429]);
    const limited = await login('rate');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect((await login('rate', PASSWORD, {}, freshIp())).statusCode).toBe(200);
  });

  describe('CSRF', () => {
    it('refuses a state-changing request without or with a wrong token, and changes nothing', async () => {
      const cookies = cookiesOf(await login('olga'));
      const before = await database.db.selectFrom('notes').select('id').execute();
      const missing = await app.inject({ method: 'POST', url: '/notes', cookies, payload: { text: 'a' } });
      const wrong = await app.inject({ method: 'POST', url: '/notes', cookies, headers: { 'x-csrf-token': 'forged' }, payload: { text: 'b' } });
      for (const res of [missing, wrong]) {
        expect(res.statusCode).toBe(403);
        expect(res.json().code).toBe('csrf_failed');
      }
      expect(await database.db.selectFrom('notes').select('id').execute()).toEqual(before);
      expect((await auditRows('csrf.rejected')).length).toBeGreaterThanOrEqual(2);
    });

    it('accepts the request with the session token and journals the change', async () => {
      const res = await login('olga');
      const cookies = cookiesOf(res);
      expect(cookies.csrf).toBe(res.json().csrfToken);
      const ok = await app.inject({ method: 'POST', url: '/notes', cookies, headers: { 'x-csrf-token': res.json().csrfToken }, payload: { text: 'hello' } });
      expect(ok.statusCode).toBe(201);
      const rows = await auditRows('note.create');
      expect(rows.at(-1)).toMatchObject({ actor_login: 'olga', target_type: 'note', outcome: 'success', request_id: ok.headers['x-request-id'] });
    });
  });

  it('issues a new session at login instead of keeping one the client presented (session fixation)', async () => {
    const first = cookiesOf(await login('olga'));
    const second = cookiesOf(await login('olga', PASSWORD, { sid: first.sid! }));
    expect(second.sid).not.toBe(first.sid);
    expect((await app.inject({ method: 'GET', url: '/auth/me', cookies: { sid: first.sid! } })).statusCode).toBe(401);
    const planted = await login('olga', PASSWORD, { sid: 'attacker-chosen-token' });
    expect(cookiesOf(planted).sid).not.toBe('attacker-chosen-token');
  });

  it('ends the session at logout', async () => {
    const res = await login('olga');
    const cookies = cookiesOf(res);
    const out = await app.inject({ method: 'POST', url: '/auth/logout', cookies, headers: { 'x-csrf-token': cookies.csrf! } });
    expect(out.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/auth/me', cookies })).statusCode).toBe(401);
    expect((await auditRows('auth.logout')).at(-1)!.actor_login).toBe('olga');
  });

  it('refuses a role the route does not allow, journals it, and admits a higher role of the hierarchy', async () => {
    const operator = cookiesOf(await login('olga'));
    const denied = await app.inject({ method: 'GET', url: '/settlement-only', cookies: operator });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('forbidden');
    const rows = await auditRows('access.denied');
    expect(rows.at(-1)).toMatchObject({ actor_login: 'olga', outcome: 'denied' });
    expect(rows.at(-1)!.details).toMatchObject({ reason: 'forbidden', route: '/settlement-only' });

    const manager = cookiesOf(await login('maria'));
    expect((await app.inject({ method: 'GET', url: '/settlement-only', cookies: manager })).statusCode).toBe(200);
  });

  it('keeps the audit journal append-only', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('rejects weak passwords with field problems', async () => {
    await expect(createUser(database.db, { login: 'weak', password: 'short', displayName: 'w', roles: [] }, { hashing: fastHashingForTests })).rejects.toMatchObject({
      code: 'password_rejected',
      extra: { errors: [{ field: 'password', code: 'password_too_short' }] },
    });
  });
});
