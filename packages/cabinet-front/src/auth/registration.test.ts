import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, fastHashingForTests } from '@app/kernel';
import { demoConsumers, seedCabinetFrontDemo } from '../demo.js';
import { startFront, type Front } from '../testing/fixture.js';

describe('registration and login by one-time code', () => {
  let front: Front;
  let n = 0;
  const ip = () => `10.20.${Math.floor(++n / 250)}.${n % 250}`;
  const start = (payload: unknown) => front.app.inject({ method: 'POST', url: '/auth/register', payload: payload as object, remoteAddress: ip() });
  const confirm = (challengeId: string, payload: unknown) => front.app.inject({ method: 'POST', url: `/auth/register/${challengeId}/confirm`, payload: payload as object });
  const db = () => front.db;

  beforeAll(async () => {
    front = await startFront({ otpPolicy: { resendSeconds: 0, maxSends: 3 } });
  });
  afterAll(() => front.close());

  it('registers with an e-mail confirmed by the code, then logs in with it', async () => {
    const res = await start({ email: '  Anna.K@Example.TEST ' });
    expect(res.statusCode).toBe(202);
    const { challengeId, expiresAt } = res.json();
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    const code = front.otp.lastCodeFor('anna.k@example.test');
    expect(code).toMatch(/^[0-9]{6}$/);
    const ok = await confirm(challengeId, { code, password: 'Anna-Strong-2026', displayName: 'Анна К.' });
    expect(ok.statusCode).toBe(201);
    const session = await front.login('ANNA.K@example.test', 'Anna-Strong-2026');
    expect(session.me).toMatchObject({ login: 'anna.k@example.test', displayName: 'Анна К.' });
    const me = await session.call('GET', '/api/me');
    expect(me.json()).toMatchObject({ login: 'anna.k@example.test', email: 'anna.k@example.test', displayName: 'Анна К.' });
    const authMe = await session.call('GET', '/auth/me');
    expect(authMe.json().login).toBe('anna.k@example.test');
  });

  it('stores the login key as a blind index, never the address, and the code only as a hash', async () => {
    const users = await db().selectFrom('users').select(['login_key', 'display_name']).execute();
    expect(users.some((u) => u.login_key.includes('@'))).toBe(false);
    const challenges = await db().selectFrom('otp_challenges').selectAll().execute();
    const code = front.otp.lastCodeFor('anna.k@example.test')!;
    expect(JSON.stringify(challenges)).not.toContain('anna.k@example.test');
    expect(challenges.every((c) => !c.code_hash.includes(code))).toBe(true);
  });

  it('registers with a phone in any usual spelling and logs in by it in another', async () => {
    const res = await start({ phone: '8 (912) 345-67-89' });
    expect(res.statusCode).toBe(202);
    const code = front.otp.lastCodeFor('+79123456789')!;
    expect((await confirm(res.json().challengeId, { code, password: 'Phone-Strong-2026' })).statusCode).toBe(201);
    const session = await front.login('+7 912 345 67 89', 'Phone-Strong-2026');
    expect(session.me.login).toBe('+79123456789');
  });

  it('refuses a wrong code, counts attempts, and spends the challenge after the last', async () => {
    const res = await start({ email: 'tries@example.test' });
    const { challengeId } = res.json();
    const right = front.otp.lastCodeFor('tries@example.test')!;
    const wrong = right === '000000' ? '111111' : '000000';
    const first = await confirm(challengeId, { code: wrong, password: 'Tries-Strong-2026' });
    expect(first.statusCode).toBe(422);
    expect(first.json()).toMatchObject({ code: 'otp_wrong_code', attemptsLeft: 4, errors: [{ field: 'code', code: 'otp_wrong_code' }] });
    for (let i = 0; i < 4; i++) await confirm(challengeId, { code: wrong, password: 'Tries-Strong-2026' });
    const spent = await confirm(challengeId, { code: right, password: 'Tries-Strong-2026' });
    expect(spent.json().code).toBe('otp_attempts_exceeded');
    expect(await db().selectFrom('consumer_users').select('user_id').where('email_index', 'is not', null).execute()).toHaveLength(1);
  });

  it('refuses an expired code', async () => {
    const res = await start({ email: 'late@example.test' });
    const { challengeId } = res.json();
    await db().updateTable('otp_challenges').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', challengeId).execute();
    const late = await confirm(challengeId, { code: front.otp.lastCodeFor('late@example.test'), password: 'Late-Strong-2026' });
    expect(late.statusCode).toBe(422);
    expect(late.json().code).toBe('otp_expired');
  });

  it('resends a new code (the old one stops working) up to the limit', async () => {
    const res = await start({ email: 'resend@example.test' });
    const { challengeId } = res.json();
    const old = front.otp.lastCodeFor('resend@example.test')!;
    const again = await front.app.inject({ method: 'POST', url: `/auth/register/${challengeId}/resend` });
    expect(again.statusCode).toBe(202);
    const fresh = front.otp.lastCodeFor('resend@example.test')!;
    await front.app.inject({ method: 'POST', url: `/auth/register/${challengeId}/resend` });
    const limit = await front.app.inject({ method: 'POST', url: `/auth/register/${challengeId}/resend` });
    expect(limit.statusCode).toBe(429);
    expect(limit.json().code).toBe('otp_resend_limit');
    const newest = front.otp.lastCodeFor('resend@example.test')!;
    if (old !== newest) expect((await confirm(challengeId, { code: old, password: 'Resend-Strong-2026' })).json().code).toBe('otp_wrong_code');
    void fresh;
    expect((await confirm(challengeId, { code: newest, password: 'Resend-Strong-2026' })).statusCode).toBe(201);
  });

  it('limits resends in time', async () => {
    const slow = await startFront({ otpPolicy: { resendSeconds: 60 } });
    try {
      const res = await slow.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'wait@example.test' } });
      const again = await slow.app.inject({ method: 'POST', url: `/auth/register/${res.json().challengeId}/resend` });
      expect(again.statusCode).toBe(429);
      expect(again.json().code).toBe('otp_resend_too_soon');
      expect(again.headers['retry-after']).toBeDefined();
    } finally {
      await slow.close();
    }
  });

  it('answers a registered address like a new one, and sends no code for it', async () => {
    const before = front.otp.messages.length;
    const res = await start({ email: 'anna.k@example.test' });
    expect(res.statusCode).toBe(202);
    expect(front.otp.messages.slice(before)).toEqual([expect.objectContaining({ kind: 'already_registered' })]);
    expect(front.otp.messages.at(-1)!.code).toBeUndefined();
  });

  it('names the field of bad input and stores nothing', async () => {
    const count = async () => (await db().selectFrom('otp_challenges').select('id').execute()).length;
    const before = await count();
    expect((await start({ email: 'not-an-address' })).json()).toMatchObject({ code: 'email_invalid', errors: [{ field: 'email' }] });
    expect((await start({ phone: '12' })).json()).toMatchObject({ code: 'validation_failed' });
    expect((await start({ phone: '+7 000' })).json()).toMatchObject({ code: 'phone_invalid', errors: [{ field: 'phone' }] });
    expect((await start({})).json()).toMatchObject({ code: 'contact_required' });
    const weak = await start({ email: 'weak@example.test' });
    const res = await confirm(weak.json().challengeId, { code: front.otp.lastCodeFor('weak@example.test'), password: 'short' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'password_rejected', errors: [{ field: 'password' }] });
    expect(await count()).toBe(before + 1);
  });

  it('recovers a password by code; the old password and sessions stop working', async () => {
    const old = await front.login('anna.k@example.test', 'Anna-Strong-2026');
    const res = await front.app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { login: 'Anna.K@example.test' }, remoteAddress: ip() });
    expect(res.statusCode).toBe(202);
    const code = front.otp.lastCodeFor('anna.k@example.test');
    const reset = await front.app.inject({ method: 'POST', url: `/auth/password/${res.json().challengeId}/reset`, payload: { code, password: 'Anna-New-Pass-2026' } });
    expect(reset.statusCode).toBe(204);
    expect((await old.call('GET', '/api/me')).statusCode).toBe(401);
    await expect(front.login('anna.k@example.test', 'Anna-Strong-2026')).rejects.toThrow(/401/);
    expect((await front.login('anna.k@example.test', 'Anna-New-Pass-2026')).me.login).toBe('anna.k@example.test');
  });

  it('answers recovery for an unknown login the same way, without sending anything', async () => {
    const before = front.otp.messages.length;
    const res = await front.app.inject({ method: 'POST', url: '/auth/password/forgot', payload: { login: 'nobody@example.test' }, remoteAddress: ip() });
    expect(res.statusCode).toBe(202);
    expect(front.otp.messages.length).toBe(before);
    const reset = await front.app.inject({ method: 'POST', url: `/auth/password/${res.json().challengeId}/reset`, payload: { code: '123456', password: 'Whatever-Pass-2026' } });
    expect(reset.json().code).toBe('otp_wrong_code');
  });

  it('rate-limits new challenges per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await start({ email: 'spam@example.test' })).statusCode);
    expect(codes.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(codes.at(-1)).toBe(429);
  });

  it('seeds the demo consumer (idempotently), who logs in with the documented password', async () => {
    await seedCabinetFrontDemo(front.runtime.database, { hashing: fastHashingForTests, keys: front.keys });
    await seedCabinetFrontDemo(front.runtime.database, { hashing: fastHashingForTests, keys: front.keys });
    const demo = demoConsumers[0]!;
    const session = await front.login(demo.login, demo.password);
    expect(session.me).toMatchObject({ login: 'demo@consumer.test', displayName: demo.displayName });
    const rows = await db().selectFrom('users').select('login_key').execute();
    expect(rows.map((r) => r.login_key)).not.toContain('demo@consumer.test');
  });

  it('converts a demo user left with its login in clear by an earlier version', async () => {
    const fresh = await startFront();
    try {
      const demo = demoConsumers[0]!;
      await createUser(fresh.db, { login: demo.login, password: demo.password, displayName: demo.displayName, roles: ['consumer'] }, { hashing: fastHashingForTests });
      await seedCabinetFrontDemo(fresh.runtime.database, { hashing: fastHashingForTests, keys: fresh.keys });
      const users = await fresh.db.selectFrom('users').select(['login_key', 'display_name']).execute();
      expect(users).toHaveLength(1);
      expect(users[0]!.login_key).not.toContain('@');
      expect(users[0]!.display_name).toBe('');
      expect((await fresh.login(demo.login, demo.password)).me.displayName).toBe(demo.displayName);
    } finally {
      await fresh.close();
    }
  });
});
