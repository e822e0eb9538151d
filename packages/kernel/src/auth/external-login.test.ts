import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../cache/cache.js';
import { createHttpApp, type HttpApp } from '../http/app.js';
import { createLogger } from '../log/logger.js';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { registerAuth } from './auth.plugin.js';
import { fastHashingForTests } from './password.js';
import type { AuthTables } from './tables.js';
import { createUser } from './users.js';

// A stand-in directory: who exists there, with which password and roles; "down" makes it throw.
const directory: Record<string, { password: string; displayName: string; roles: string[] }> = {
  'ivan.petrov': { password: 'dir-secret', displayName: 'Иван Петров', roles: ['operator'] },
  localadmin: { password: 'dir-secret', displayName: 'Impostor', roles: ['admin'] },
  nobody: { password: 'dir-secret', displayName: 'No roles', roles: [] },
};
let down = false;

describe('auth with an external directory (the LDAP hook)', () => {
  let database: TestDatabase<AuthTables>;
  let cache: Cache;
  let app: HttpApp;
  const login = (l: string, password: string) => app.inject({ method: 'POST', url: '/auth/login', payload: { login: l, password } });

  beforeAll(async () => {
    database = await createTestDatabase();
    cache = createCache({ url: process.env.REDIS_URL, prefix: `ext-auth-${randomBytes(4).toString('hex')}:` });
    await createUser(database.db, { login: 'localadmin', displayName: 'Local', password: 'local-secret', roles: ['admin'] }, { hashing: fastHashingForTests });
    app = await createHttpApp({ service: 'test', title: 'T', logger: createLogger({ service: 'test', level: 'silent' }) });
    await registerAuth(app, {
      database,
      cache,
      settings: {
        sessionTtlMinutes: 60,
        maxFailures: 3,
        lockoutMinutes: 15,
        cookieSecure: false,
        attemptsPerMinutePerIp: 100,
        hashing: fastHashingForTests,
        externalLogin: async (l, password) => {
          if (down) throw new Error('directory unreachable');
          const entry = directory[l];
          return entry && entry.password === password ? { displayName: entry.displayName, roles: entry.roles } : null;
        },
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await cache.close();
    await database.close();
  });

  it('logs in a directory user, creating the user with the directory roles, and refreshes them next time', async () => {
    const first = await login('ivan.petrov', 'dir-secret');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ login: 'ivan.petrov', displayName: 'Иван Петров', roles: ['operator'] });
    directory['ivan.petrov']!.roles = ['settlement'];
    expect((await login('ivan.petrov', 'dir-secret')).json().roles).toEqual(['settlement']);
    const row = await database.db.selectFrom('users').selectAll().where('login_key', '=', 'ivan.petrov').executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();
    const audit = await database.db.selectFrom('audit_log').select(['action', 'outcome', 'details']).where('actor_login', '=', 'ivan.petrov').orderBy('id').execute();
    expect(audit[0]).toMatchObject({ action: 'auth.login', outcome: 'success', details: { via: 'external' } });
  });

  it('refuses a wrong directory password, a directory user with no mapped role, and never lets the directory take over a local account', async () => {
    expect((await login('ivan.petrov', 'wrong')).json()).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect((await login('nobody', 'dir-secret')).statusCode).toBe(401);
    expect((await login('localadmin', 'dir-secret')).statusCode).toBe(401);
    expect((await login('localadmin', 'local-secret')).json()).toMatchObject({ displayName: 'Local', roles: ['admin'] });
  });

  it('keeps local logins working while the directory is down', async () => {
    down = true;
    try {
      expect((await login('localadmin', 'local-secret')).statusCode).toBe(200);
      expect((await login('ivan.petrov', 'dir-secret')).statusCode).toBe(401);
    } finally {
      down = false;
    }
  });
});
