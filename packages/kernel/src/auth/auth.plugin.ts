import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { AppError, tooManyRequests } from '../errors/app-error.js';
import type { HttpApp } from '../http/app.js';
import { auditContext, recordAudit } from './audit.js';
import { defaultHashing, hashPassword, needsRehash, verifyPassword, type PasswordHashing } from './password.js';
import { deleteSession, findLiveSession, hashToken, insertSession, touchSession, type SessionUser } from './sessions.repo.js';
import type { ActingAs, SessionRestriction } from './tables.js';
import { findTotp } from './two-factor.repo.js';
import { registerTwoFactorRoutes, type TwoFactorSettings } from './two-factor.routes.js';

export type { TwoFactorSettings } from './two-factor.routes.js';
import { findUserByLoginKey, recordFailedLogin, resetLoginFailures, setPasswordHash, upsertExternalUser, type UserRow } from './users.repo.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The current session's restriction (enrol a second factor first; read only), null for a full session. */
    sessionRestriction: SessionRestriction | null;
    /** Who really uses the session when it was opened on someone's behalf (support). */
    actingAs: ActingAs | null;
  }
  interface FastifyContextConfig {
    /** Routes a restricted session may still call (login, logout, "who am I", second-factor enrolment). */
    restricted?: 'allowed';
  }
}

export interface AuthSettings {
  /** Absolute session lifetime. */
  sessionTtlMinutes: number;
  /** A session unused this long ends. */
  idleMinutes?: number;
  maxFailures: number;
  lockoutMinutes: number;
  /** Login attempts per client address per minute, across all accounts. */
  attemptsPerMinutePerIp?: number;
  cookieSecure: boolean;
  sameSite?: 'strict' | 'lax';
  /** Cookie names differ per service so two services on one host keep separate sessions. */
  cookiePrefix?: string;
  /** How a typed login becomes the stored key (default trim + lower case). */
  loginKey?: (login: string) => string;
  /**
   * What /auth/login and /auth/me show as the login and display name (default: the stored key and
   * name). A service whose login key is a blind index shows the decrypted address here instead.
   */
  describeUser?: (user: { id: string; loginKey: string; displayName: string }) => Promise<{ login: string; displayName: string }>;
  hashing?: PasswordHashing;
  /**
   * An outside directory (LDAP, Active Directory) asked before the local password, for logins that
   * have no local password: the person it vouches for gets (or refreshes) a user with the roles it
   * gives. null (unknown there, wrong password, no mapped role) falls through to the local check.
   */
  externalLogin?: (login: string, password: string) => Promise<{ displayName: string; roles: string[] } | null>;
  /**
   * Two-factor login with TOTP (authenticator apps) and recovery codes. 'optional': users may turn it
   * on; 'required': a user without it gets a session that can do nothing but enrol. Absent: off.
   */
  twoFactor?: TwoFactorSettings;
}


/** What registerAuth gives the service: sessions opened by the service itself (support's read-only look). */
export interface AuthHandle {
  cookieNames: { session: string; csrf: string };
  openSession(
    executor: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
    session: { userId: string; restriction?: SessionRestriction | null; actingAs?: ActingAs | null; ttlMinutes?: number },
  ): Promise<{ csrfToken: string; expiresAt: Date }>;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const LoginBody = Type.Object(
  { login: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
const Me = Type.Object({
  id: Type.String(),
  login: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  csrfToken: Type.String(),
  /** Whether the user has a second factor. */
  twoFactor: Type.Optional(Type.Boolean()),
  /** totp_enrolment: enrol a second factor (POST /auth/totp/enrol) before anything else; read_only: look, do not touch. */
  restriction: Type.Optional(Type.Union([Type.Literal('totp_enrolment'), Type.Literal('read_only')])),
  actingAs: Type.Optional(Type.Object({ login: Type.String(), name: Type.String() })),
});
const TotpRequired = Type.Object({
  status: Type.Literal('totp_required'),
  /** Send back to POST /auth/login/totp with the code or a recovery code. */
  challenge: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});

/**
 * Login, logout and "who am I" over server-side sessions, plus the per-request identity the access
 * guard of createHttpApp checks. Register once per app; the user base is that service's `users` table.
 */
export async function registerAuth<DB>(app: HttpApp, deps: { database: Database<DB>; cache: Cache; settings: AuthSettings }): Promise<AuthHandle> {
  const { database, cache, settings } = deps;
  const idleMinutes = settings.idleMinutes ?? Math.min(60, settings.sessionTtlMinutes);
  const loginKey = settings.loginKey ?? ((login: string) => login.trim().toLowerCase());
  const hashing = settings.hashing ?? defaultHashing;
  const describe = settings.describeUser ?? (async (u: { loginKey: string; displayName: string }) => ({ login: u.loginKey, displayName: u.displayName }));
  const prefix = settings.cookiePrefix ?? '';
  // Only sent over HTTPS with the __Host- prefix: the browser then refuses it from subdomains too.
  const sessionCookie = `${settings.cookieSecure ? '__Host-' : ''}${prefix}sid`;
  const csrfCookie = `${prefix}csrf`;
  const cookieBase = { path: '/', sameSite: settings.sameSite ?? 'strict', secure: settings.cookieSecure } as const;
  // Unknown logins still cost one argon2 verification, so response time does not reveal which logins exist.
  const decoyHash = await hashPassword('decoy-password-never-matches', hashing);

  await app.register(cookie);
  app.decorateRequest('sessionRestriction', null);
  app.decorateRequest('actingAs', null);

  app.onAccessDenied = async (request, reason) => {
    await recordAudit(database.db, { ...auditContext(request), action: 'access.denied', outcome: 'denied', details: { reason, method: request.method, route: request.routeOptions.url } });
  };

  // Sessions are read from the database on each request (a primary-key lookup): no cache means a
  // logout, a role change or a disabled account takes effect on the very next request, on every instance.
  const loadSession = async (tokenHash: string): Promise<SessionUser | undefined> => {
    const live = await findLiveSession(database.db, tokenHash, idleMinutes);
    if (live && Date.now() - live.lastSeenAt.getTime() > 60_000) await touchSession(database.db, tokenHash);
    return live;
  };

  app.addHook('onRequest', async (request) => {
    const token = request.cookies[sessionCookie];
    if (!token) return;
    const session = await loadSession(hashToken(token));
    if (!session) return;
    request.user = { id: session.userId, loginKey: session.loginKey, displayName: session.displayName, roles: session.roles };
    request.session = { tokenHash: session.tokenHash, csrfToken: session.csrfToken };
    request.sessionRestriction = session.restriction;
    request.actingAs = session.actingAs;
  });

  // A request that rides on a session cookie and changes state must prove it comes from our page.
  app.addHook('preValidation', async (request) => {
    if (!request.session || !UNSAFE.has(request.method) || request.routeOptions.config?.csrf === false) return;
    const given = request.headers['x-csrf-token'];
    if (typeof given !== 'string' || !sameSecret(given, request.session.csrfToken)) {
      await recordAudit(database.db, { ...auditContext(request), action: 'csrf.rejected', outcome: 'denied', details: { route: request.routeOptions.url } });
      throw new AppError('csrf_failed', 403, 'The form is stale or came from another site; reload the page and try again');
    }
  });

  // Restricted sessions, enforced here for every route rather than route by route.
  app.addHook('preValidation', async (request) => {
    const restriction = request.sessionRestriction;
    if (!restriction || request.routeOptions.config?.restricted === 'allowed') return;
    if (restriction === 'totp_enrolment' && request.routeOptions.config?.access && request.routeOptions.config.access !== 'public') {
      throw new AppError('totp_enrolment_required', 403, 'Set up two-factor login first (POST /auth/totp/enrol, then /auth/totp/confirm)');
    }
    if (restriction === 'read_only' && UNSAFE.has(request.method)) {
      await recordAudit(database.db, { ...auditContext(request), action: 'access.denied', outcome: 'denied', details: { reason: 'read_only_session', method: request.method, route: request.routeOptions.url, actingAs: request.actingAs } });
      throw new AppError('read_only_session', 403, 'This session can only look: it was opened read-only');
    }
  });

  const setSessionCookies = (reply: FastifyReply, token: string, csrfToken: string, expiresAt: Date) => {
    reply.setCookie(sessionCookie, token, { ...cookieBase, httpOnly: true, expires: expiresAt });
    reply.setCookie(csrfCookie, csrfToken, { ...cookieBase, httpOnly: false, expires: expiresAt });
  };
  const clearSessionCookies = (reply: FastifyReply) => {
    reply.clearCookie(sessionCookie, cookieBase);
    reply.clearCookie(csrfCookie, cookieBase);
  };

  const me = async (user: { id: string; loginKey: string; displayName: string; roles: string[] }, csrfToken: string, restriction: SessionRestriction | null, actingAs: ActingAs | null) => ({
    id: user.id,
    ...(await describe(user)),
    roles: user.roles,
    csrfToken,
    ...(twoFactor ? { twoFactor: Boolean((await findTotp(database.db, user.id))?.confirmed_at) } : {}),
    ...(restriction ? { restriction } : {}),
    ...(actingAs ? { actingAs: { login: actingAs.login, name: actingAs.name } } : {}),
  });

  /** Both factors checked: a new session (never the one presented before: session fixation). */
  const completeLogin = async (request: FastifyRequest, reply: FastifyReply, user: UserRow, extra: { restriction: SessionRestriction | null; details?: Record<string, unknown> }) => {
    const presented = request.cookies[sessionCookie];
    const session = await database.transaction(async (trx) => {
      if (presented) await deleteSession(trx, hashToken(presented));
      if (user.failed_logins > 0 || user.locked_until) await resetLoginFailures(trx, user.id);
      const created = await insertSession(trx, {
        userId: user.id,
        ttlMinutes: settings.sessionTtlMinutes,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        restriction: extra.restriction,
      });
      await recordAudit(trx, { ...auditContext(request), actorId: user.id, actorLogin: user.login_key, action: 'auth.login', ...(extra.details || extra.restriction ? { details: { ...extra.details, ...(extra.restriction ? { restriction: extra.restriction } : {}) } } : {}) });
      return created;
    });
    setSessionCookies(reply, session.token, session.csrfToken, session.expiresAt);
    return reply.status(200).send(await me({ id: user.id, loginKey: user.login_key, displayName: user.display_name, roles: user.roles }, session.csrfToken, extra.restriction, null));
  };

  const loginRateLimited = async (request: FastifyRequest) => {
    const attempts = await cache.incr(`login-ip:${request.ip}`, 60).catch(() => 0);
    if (attempts <= (settings.attemptsPerMinutePerIp ?? 20)) return;
    await recordAudit(database.db, { ...auditContext(request), action: 'auth.login', outcome: 'denied', details: { reason: 'rate_limited' } });
    throw tooManyRequests('too_many_attempts', 'Too many login attempts from your address; wait a minute', 60);
  };

  const twoFactor = settings.twoFactor;
  const twoFactorRoutes = twoFactor
    ? registerTwoFactorRoutes(app, {
        database,
        cache,
        settings: twoFactor,
        maxFailures: settings.maxFailures,
        lockoutMinutes: settings.lockoutMinutes,
        describe,
        loginRateLimited,
        completeLogin: (request, reply, user, details) => completeLogin(request, reply, user, { restriction: null, details }),
      })
    : undefined;

  app.post(
    '/auth/login',
    {
      config: { access: 'public', csrf: false, restricted: 'allowed' },
      schema: {
        tags: ['auth'],
        summary: 'Log in with login and password; sets the session cookie (or, with two-factor login on, answers 202 totp_required)',
        body: LoginBody,
        response: { 200: Me, 202: TotpRequired },
      },
    },
    async (request, reply) => {
      await loginRateLimited(request);

      const key = loginKey(request.body.login);
      let user = await findUserByLoginKey(database.db, key);
      let vouched = false;
      if (settings.externalLogin && !user?.password_hash && !(user?.locked_until && user.locked_until > new Date())) {
        // A directory that is down must not stop local logins: it counts as "not known there".
        const external = await settings.externalLogin(request.body.login, request.body.password).catch((error: unknown) => {
          request.log.warn({ err: error }, 'external login unavailable');
          return null;
        });
        if (external && external.roles.length) {
          const managed = await upsertExternalUser(database.db, key, external);
          if (managed) [user, vouched] = [managed, true];
        }
      }
      const audit = { ...auditContext(request), actorLogin: key, action: 'auth.login' };

      if (user?.locked_until && user.locked_until > new Date()) {
        await recordAudit(database.db, { ...audit, actorId: user.id, outcome: 'denied', details: { reason: 'locked', until: user.locked_until } });
        throw new AppError('account_locked', 423, 'The account is locked after repeated failed logins; try again later', {
          lockedUntil: user.locked_until.toISOString(),
        });
      }

      const passwordOk = vouched || (await verifyPassword(user?.password_hash ?? decoyHash, request.body.password));
      if (!user || !passwordOk || user.status !== 'active') {
        if (user && !passwordOk) {
          const { locked_until } = await recordFailedLogin(database.db, user.id, settings.maxFailures, settings.lockoutMinutes);
          if (locked_until) await recordAudit(database.db, { ...audit, action: 'auth.locked', actorId: user.id, outcome: 'failure', details: { until: locked_until } });
        }
        await recordAudit(database.db, { ...audit, actorId: user?.id ?? null, outcome: 'failure', details: { reason: user ? (passwordOk ? 'disabled' : 'wrong_password') : 'unknown_login' } });
        throw new AppError('invalid_credentials', 401, 'Wrong login or password');
      }

      if (user.password_hash && needsRehash(user.password_hash, hashing)) await setPasswordHash(database.db, user.id, await hashPassword(request.body.password, hashing));
      if (twoFactor && (await findTotp(database.db, user.id))?.confirmed_at) {
        const challenge = await twoFactorRoutes!.challenge(user.id, request.ip);
        await recordAudit(database.db, { ...audit, action: 'auth.login.password_ok', actorId: user.id, details: { next: 'totp' } });
        return reply.status(202).send({ status: 'totp_required' as const, challenge: challenge.token, expiresAt: challenge.expiresAt.toISOString() });
      }
      const restriction = twoFactor?.mode === 'required' ? ('totp_enrolment' as const) : null;
      return completeLogin(request, reply, user, { restriction, details: vouched ? { via: 'external' } : undefined });
    },
  );

  app.post(
    '/auth/logout',
    { config: { access: 'authenticated', restricted: 'allowed' }, schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const session = request.session!;
      await database.transaction(async (trx) => {
        await deleteSession(trx, session.tokenHash);
        await recordAudit(trx, { ...auditContext(request), action: 'auth.logout' });
      });
      clearSessionCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    { config: { access: 'authenticated', restricted: 'allowed' }, schema: { tags: ['auth'], summary: 'The logged-in user and the CSRF token', response: { 200: Me } } },
    async (request: FastifyRequest) => me(request.user!, request.session!.csrfToken, request.sessionRestriction, request.actingAs),
  );

  return {
    cookieNames: { session: sessionCookie, csrf: csrfCookie },
    openSession: async (executor, request, reply, session) => {
      const created = await insertSession(executor, {
        userId: session.userId,
        ttlMinutes: session.ttlMinutes ?? settings.sessionTtlMinutes,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        restriction: session.restriction ?? null,
        actingAs: session.actingAs ?? null,
      });
      setSessionCookies(reply, created.token, created.csrfToken, created.expiresAt);
      return { csrfToken: created.csrfToken, expiresAt: created.expiresAt };
    },
  };
}

function sameSecret(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
