import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../cache/cache.js';
import { createHttpApp, type HttpApp } from '../http/app.js';
import { createLogger } from '../log/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { registerAuth } from './auth.plugin.js';
import { fastHashingForTests } from './password.js';
import { createUser } from './users.js';

// A service whose login key is a blind index (cabinet-front) shows people the decrypted address instead.
describe('auth: login key transform and describeUser', () => {
  let database: TestDatabase;
  let cache: Cache;
  let app: HttpApp;
  const keyOf = (login: string) => `idx:${login.trim().toLowerCase().split('').reverse().join('')}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    cache = createCache({ url: process.env.REDIS_URL, prefix: `describe-test-${randomBytes(4).toString('hex')}:` });
    app = await createHttpApp({ service: 'test', title: 'T', logger: createLogger({ service: 'test', level: 'silent' }) });
    await registerAuth(app, {
      database,
      cache,
      settings: {
        sessionTtlMinutes: 60,
        maxFailures: 3,
        lockoutMinutes: 15,
        cookieSecure: false,
        hashing: fastHashingForTests,
        loginKey: keyOf,
        describeUser: async (user) => ({ login: `shown:${user.id}`, displayName: 'Shown Name' }),
      },
    });
    await app.ready();
    await createUser(database.db, { login: 'Mail@Example.test', password: 'correct horse battery', displayName: '', roles: ['consumer'] }, { loginKey: keyOf, hashing: fastHashingForTests });
  });
  afterAll(async () => {
    await app.close();
    await cache.close();
    await database.close();
  });

  it('finds the user by the transformed key and shows what describeUser gives, at login and in /auth/me', async () => {
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: ' mail@example.TEST', password: 'correct horse battery' } });
    expect(login.statusCode).toBe(200);
    const { id } = login.json();
    expect(login.json()).toMatchObject({ login: `shown:${id}`, displayName: 'Shown Name' });
    const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
    const me = await app.inject({ method: 'GET', url: '/auth/me', cookies });
    expect(me.json()).toMatchObject({ id, login: `shown:${id}`, displayName: 'Shown Name', roles: ['consumer'] });
  });
});
