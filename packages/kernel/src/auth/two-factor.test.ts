import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../cache/cache.js';
import { parseKeyRing } from '../crypto/field-encryption.js';
import { createHttpApp, type HttpApp } from '../http/app.js';
import { createLogger } from '../log/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { loginWithTotp } from '../testing/two-factor.js';
import { registerAuth, type AuthHandle } from './auth.plugin.js';
import { fastHashingForTests } from './password.js';
import type { AuthTables } from './tables.js';
import { totpCode, totpStep } from './totp.js';
import { createUser } from './users.js';

const PASSWORD = 'correct horse battery';
const keys = parseKeyRing({ keys: `k1:${randomBytes(32).toString('base64')}`, currentKeyId: 'k1', indexKey: randomBytes(32).toString('base64') });

async function appWith(database: TestDatabase<AuthTables>, cache: Cache, mode: 'optional' | 'required') {
  const app = await createHttpApp({ service: 'test', title: 'T', logger: createLogger({ service: 'test', level: 'silent' }) });
  const auth = await registerAuth(app, {
    database,
    cache,
    settings: { sessionTtlMinutes: 60, maxFailures: 4, lockoutMinutes: 15, cookieSecure: false, attemptsPerMinutePerIp: 200, hashing: fastHashingForTests, twoFactor: { mode, issuer: 'Test', keys } },
  });
  app.get('/things', { config: { access: 'authenticated' } }, async () => ({ ok: true }));
  app.post('/things', { config: { access: 'authenticated' }, schema: { body: Type.Object({ x: Type.Number() }) } }, async () => ({ ok: true }));
  app.post('/as/:userId', { config: { access: 'public', csrf: false } }, async (request, reply) => {
    const { userId } = request.params as { userId: string };
    await auth.openSession(database.db, request, reply, { userId, restriction: 'read_only', actingAs: { login: 'helper', name: 'Helper' }, ttlMinutes: 5 });
    return { ok: true };
  });
  await app.ready();
  return { app, auth };
}

const cookiesOf = (res: { cookies: Array<{ name: string; value: string }> }) => Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));

describe('two-factor login (TOTP)', () => {
  let database: TestDatabase<AuthTables>;
  let cache: Cache;
  let staff: HttpApp;
  let people: { app: HttpApp; auth: AuthHandle };

  beforeAll(async () => {
    database = await createTestDatabase();
    cache = createCache({ url: process.env.REDIS_URL, prefix: `totp-test-${randomBytes(4).toString('hex')}:` });
    staff = (await appWith(database, cache, 'required')).app;
    people = await appWith(database, cache, 'optional');
    for (const login of ['anna', 'boris', 'vera', 'gleb', 'dina']) await createUser(database.db, { login, password: PASSWORD, displayName: login, roles: ['x'] }, { hashing: fastHashingForTests });
  });
  afterAll(async () => {
    await staff?.close();
    await people?.app.close();
    await cache?.close();
    await database?.close();
  });

  it('required: a user without TOTP gets a session that can only enrol; enrolment lifts it; the secret is stored encrypted and never shown again', async () => {
    const login = await staff.inject({ method: 'POST', url: '/auth/login', payload: { login: 'anna', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ restriction: 'totp_enrolment', twoFactor: false });
    const session = { cookies: cookiesOf(login), headers: { 'x-csrf-token': login.json().csrfToken as string } };
    const blocked = await staff.inject({ method: 'GET', url: '/things', ...session });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('totp_enrolment_required');
    expect((await staff.inject({ method: 'GET', url: '/auth/me', ...session })).statusCode).toBe(200);

    const enrol = await staff.inject({ method: 'POST', url: '/auth/totp/enrol', ...session });
    expect(enrol.statusCode).toBe(200);
    const { secret, otpauthUri } = enrol.json() as { secret: string; otpauthUri: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Test:anna\?/);
    const stored = await database.db.selectFrom('user_totp').selectAll().executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(secret);
    expect(stored.secret_enc).toMatch(/^v1\.k1\./);

    const wrong = await staff.inject({ method: 'POST', url: '/auth/totp/confirm', ...session, payload: { code: totpCode(secret, totpStep() - 5) } });
    expect(wrong.json().code).toBe('totp_invalid');
    const confirm = await staff.inject({ method: 'POST', url: '/auth/totp/confirm', ...session, payload: { code: totpCode(secret) } });
    expect(confirm.statusCode).toBe(200);
    const codes = confirm.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    const hashes = await database.db.selectFrom('user_recovery_codes').select('code_hash').execute();
    expect(hashes.map((h) => h.code_hash)).not.toContain(codes[0]);
    expect((await staff.inject({ method: 'GET', url: '/things', ...session })).statusCode).toBe(200);
    expect((await staff.inject({ method: 'POST', url: '/auth/totp/enrol', ...session })).json().code).toBe('totp_already_enabled');
    // Required: cannot be switched off.
    expect((await staff.inject({ method: 'POST', url: '/auth/totp/disable', ...session, payload: { code: totpCode(secret, totpStep() + 1) } })).json().code).toBe('totp_required');

    // Next login: password answers totp_required, the code completes it, the same code again is refused.
    const first = await staff.inject({ method: 'POST', url: '/auth/login', payload: { login: 'anna', password: PASSWORD } });
    expect(first.statusCode).toBe(202);
    expect(first.json().status).toBe('totp_required');
    expect(first.cookies.find((c) => c.name === 'sid')).toBeUndefined();
    const code = totpCode(secret, totpStep() + 1); // the current step's code was used by the confirmation
    const second = await staff.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge: first.json().challenge, code } });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ login: 'anna', twoFactor: true });
    expect(second.json().restriction).toBeUndefined();
    const replayChallenge = (await staff.inject({ method: 'POST', url: '/auth/login', payload: { login: 'anna', password: PASSWORD } })).json().challenge;
    const replay = await staff.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge: replayChallenge, code } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('totp_reused');
    // A recovery code works once.
    const rc = await staff.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge: replayChallenge, recoveryCode: codes[3]!.toLowerCase() } });
    expect(rc.statusCode).toBe(200);
    const again = (await staff.inject({ method: 'POST', url: '/auth/login', payload: { login: 'anna', password: PASSWORD } })).json().challenge;
    expect((await staff.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge: again, recoveryCode: codes[3] } })).json().code).toBe('totp_invalid');
  });

  it('wrong codes count like wrong passwords: the challenge is used up after five, the account locks', async () => {
    const enrolled = await loginWithTotp(staff, { login: 'boris', password: PASSWORD });
    expect(enrolled.recoveryCodes).toHaveLength(10);
    const challenge = (await staff.inject({ method: 'POST', url: '/auth/login', payload: { login: 'boris', password: PASSWORD } })).json().challenge;
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push((await staff.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge, code: '000000' } })).json().code);
    expect(answers.slice(0, 3)).toEqual(['totp_invalid', 'totp_invalid', 'totp_invalid']);
    expect(answers[4]).toBe('account_locked'); // the fourth failure locked it (maxFailures 4)
    expect((await staff.inject({ method: 'POST', url: '/auth/login/totp', payload: { challenge, code: '000000' } })).json().code).toBe('login_challenge_invalid');
    expect((await staff.inject({ method: 'POST', url: '/auth/login', payload: { login: 'boris', password: PASSWORD } })).json().code).toBe('account_locked');
  });

  it('optional: off by default, on and off with a current code; the test helper logs in twice in a row', async () => {
    const plain = await people.app.inject({ method: 'POST', url: '/auth/login', payload: { login: 'vera', password: PASSWORD } });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toMatchObject({ twoFactor: false });
    expect(plain.json().restriction).toBeUndefined();
    const session = { cookies: cookiesOf(plain), headers: { 'x-csrf-token': plain.json().csrfToken as string } };
    const { secret } = (await people.app.inject({ method: 'POST', url: '/auth/totp/enrol', ...session })).json() as { secret: string };
    expect((await people.app.inject({ method: 'POST', url: '/auth/totp/confirm', ...session, payload: { code: totpCode(secret) } })).statusCode).toBe(200);
    expect((await people.app.inject({ method: 'GET', url: '/auth/totp', ...session })).json()).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect((await people.app.inject({ method: 'POST', url: '/auth/login', payload: { login: 'vera', password: PASSWORD } })).statusCode).toBe(202);
    expect((await people.app.inject({ method: 'POST', url: '/auth/totp/disable', ...session, payload: { code: '123456' } })).json().code).toMatch(/totp_invalid|totp_reused/);
    expect((await people.app.inject({ method: 'POST', url: '/auth/totp/disable', ...session, payload: { code: totpCode(secret, totpStep() + 1) } })).statusCode).toBe(204);
    expect((await people.app.inject({ method: 'POST', url: '/auth/login', payload: { login: 'vera', password: PASSWORD } })).statusCode).toBe(200);

    await loginWithTotp(staff, { login: 'gleb', password: PASSWORD });
    const a = await loginWithTotp(staff, { login: 'gleb', password: PASSWORD });
    const b = await loginWithTotp(staff, { login: 'gleb', password: PASSWORD });
    expect((await staff.inject({ method: 'GET', url: '/things', cookies: a.cookies })).statusCode).toBe(200);
    expect((await staff.inject({ method: 'GET', url: '/things', cookies: b.cookies })).statusCode).toBe(200);
  });

  it('a read-only session opened by the service looks but every state-changing route answers 403 read_only_session', async () => {
    const user = await database.db.selectFrom('users').select('id').where('login_key', '=', 'dina').executeTakeFirstOrThrow();
    const opened = await people.app.inject({ method: 'POST', url: `/as/${user.id}` });
    const session = { cookies: cookiesOf(opened), headers: { 'x-csrf-token': opened.cookies.find((c) => c.name === 'csrf')!.value } };
    expect((await people.app.inject({ method: 'GET', url: '/things', ...session })).statusCode).toBe(200);
    expect((await people.app.inject({ method: 'GET', url: '/auth/me', ...session })).json()).toMatchObject({ restriction: 'read_only', actingAs: { login: 'helper', name: 'Helper' } });
    const post = await people.app.inject({ method: 'POST', url: '/things', ...session, payload: { x: 1 } });
    expect(post.statusCode).toBe(403);
    expect(post.json().code).toBe('read_only_session');
    expect((await people.app.inject({ method: 'POST', url: '/auth/totp/enrol', ...session })).json().code).toBe('read_only_session');
    const denied = await database.db.selectFrom('audit_log').select('details').where('action', '=', 'access.denied').execute();
    expect(denied.some((d) => (d.details as { reason?: string }).reason === 'read_only_session')).toBe(true);
    expect((await people.app.inject({ method: 'POST', url: '/auth/logout', ...session })).statusCode).toBe(204);
  });
});
