import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { AppError, conflict, forbidden, tooManyRequests } from '../errors/app-error.js';
import type { HttpApp } from '../http/app.js';
import type { KeyRing } from '../crypto/field-encryption.js';
import { auditContext, recordAudit } from './audit.js';
import { clearSessionRestriction } from './sessions.repo.js';
import { newTotpSecret, totpUri } from './totp.js';
import {
  acceptTotpCode,
  attemptLoginChallenge,
  createLoginChallenge,
  deleteLoginChallenge,
  findTotp,
  remainingRecoveryCodes,
  removeTotp,
  replaceRecoveryCodes,
  startTotpEnrolment,
  useRecoveryCode,
} from './two-factor.repo.js';
import { findUserById, recordFailedLogin, type UserRow } from './users.repo.js';

export interface TwoFactorSettings {
  mode: 'optional' | 'required';
  /** Shown in the authenticator app next to the login. */
  issuer: string;
  /** Encrypts the TOTP secrets at rest. */
  keys: KeyRing;
  /** How long the password step stays valid for the code (default 5 min). */
  challengeMinutes?: number;
  /** Codes tried per password step (default 5). */
  maxAttempts?: number;
}

const tags = ['auth'];
const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code the authenticator app shows' });
const RecoveryCode = Type.String({ minLength: 10, maxLength: 16, description: 'One of the recovery codes, XXXXX-XXXXX' });
const Proof = Type.Object({ code: Type.Optional(Code), recoveryCode: Type.Optional(RecoveryCode) }, { additionalProperties: false });
const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

interface Deps<DB> {
  database: Database<DB>;
  cache: Cache;
  settings: TwoFactorSettings;
  maxFailures: number;
  lockoutMinutes: number;
  describe: (user: { id: string; loginKey: string; displayName: string }) => Promise<{ login: string; displayName: string }>;
  loginRateLimited: (request: FastifyRequest) => Promise<void>;
  completeLogin: (request: FastifyRequest, reply: FastifyReply, user: UserRow, details: Record<string, unknown>) => Promise<unknown>;
}

/**
 * Second step of login and the user's own second-factor settings: enrol (secret shown once), confirm
 * with a first code (recovery codes shown once), regenerate recovery codes, turn off (optional mode only).
 */
export function registerTwoFactorRoutes<DB>(app: HttpApp, deps: Deps<DB>) {
  const { database, cache, settings } = deps;
  const db = database.db;
  const maxAttempts = settings.maxAttempts ?? 5;
  const refused = (code: string, message: string) => new AppError(code, 401, message);

  /** Code or recovery code of a logged-in user (changing their own settings), limited per user. */
  const proveNow = async (request: FastifyRequest, proof: { code?: string; recoveryCode?: string }) => {
    const userId = request.user!.id;
    if ((await cache.incr(`totp-proof:${userId}`, 300).catch(() => 0)) > 10) throw tooManyRequests('too_many_attempts', 'Too many codes tried; wait a few minutes', 300);
    const verdict = proof.code ? await acceptTotpCode(db, settings.keys, userId, proof.code) : proof.recoveryCode ? ((await useRecoveryCode(db, userId, proof.recoveryCode)) ? 'ok' : 'invalid') : 'invalid';
    if (verdict !== 'ok') {
      await recordAudit(db, { ...auditContext(request), action: 'auth.totp.proof', outcome: 'failure', details: { reason: verdict } });
      throw verdict === 'reused' ? refused('totp_reused', 'This code was already used; wait for the next one') : refused('totp_invalid', 'The code is wrong or has expired');
    }
  };

  app.post(
    '/auth/login/totp',
    {
      config: { access: 'public', csrf: false, restricted: 'allowed' },
      schema: {
        tags,
        summary: 'Second step of login: the code from the authenticator app, or a recovery code',
        body: Type.Object({ challenge: Type.String({ minLength: 10, maxLength: 100 }), code: Type.Optional(Code), recoveryCode: Type.Optional(RecoveryCode) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      await deps.loginRateLimited(request);
      const { challenge, code, recoveryCode } = request.body;
      const attempt = await attemptLoginChallenge(db, challenge, maxAttempts);
      if (!attempt) throw refused('login_challenge_invalid', 'The login step expired or was tried too often; log in again');
      const user = await findUserById(db, attempt.user_id);
      if (!user || user.status !== 'active') throw refused('login_challenge_invalid', 'The login step expired or was tried too often; log in again');
      const audit = { ...auditContext(request), actorId: user.id, actorLogin: user.login_key, action: 'auth.login' };
      if (user.locked_until && user.locked_until > new Date()) {
        await recordAudit(db, { ...audit, outcome: 'denied', details: { reason: 'locked', step: 'totp' } });
        throw new AppError('account_locked', 423, 'The account is locked after repeated failed logins; try again later', { lockedUntil: user.locked_until.toISOString() });
      }
      const verdict = code ? await acceptTotpCode(db, settings.keys, user.id, code) : recoveryCode ? ((await useRecoveryCode(db, user.id, recoveryCode)) ? 'ok' : 'invalid') : 'invalid';
      if (verdict !== 'ok') {
        const { locked_until } = await recordFailedLogin(db, user.id, deps.maxFailures, deps.lockoutMinutes);
        if (locked_until) await recordAudit(db, { ...audit, action: 'auth.locked', outcome: 'failure', details: { until: locked_until } });
        await recordAudit(db, { ...audit, outcome: 'failure', details: { reason: verdict === 'reused' ? 'totp_reused' : 'totp_invalid' } });
        throw verdict === 'reused' ? refused('totp_reused', 'This code was already used; wait for the next one') : refused('totp_invalid', 'The code is wrong or has expired');
      }
      await deleteLoginChallenge(db, challenge);
      return deps.completeLogin(request, reply, user, { via: code ? 'totp' : 'recovery_code' });
    },
  );

  app.get(
    '/auth/totp',
    {
      config: { access: 'authenticated', restricted: 'allowed' },
      schema: { tags, summary: 'Your two-factor login: on or off, required or not, recovery codes left', response: { 200: Type.Object({ enabled: Type.Boolean(), required: Type.Boolean(), recoveryCodesLeft: Type.Integer() }) } },
    },
    async (request) => {
      const row = await findTotp(db, request.user!.id);
      return { enabled: Boolean(row?.confirmed_at), required: settings.mode === 'required', recoveryCodesLeft: row?.confirmed_at ? await remainingRecoveryCodes(db, request.user!.id) : 0 };
    },
  );

  app.post(
    '/auth/totp/enrol',
    {
      config: { access: 'authenticated', restricted: 'allowed' },
      schema: {
        tags,
        summary: 'Start two-factor login: a new secret for the authenticator app (shown this once)',
        response: { 200: Type.Object({ secret: Type.String(), otpauthUri: Type.String() }) },
      },
    },
    async (request) => {
      if (request.sessionRestriction === 'read_only') throw forbidden('read_only_session', 'This session can only look: it was opened read-only');
      const user = request.user!;
      const secret = newTotpSecret();
      if (!(await startTotpEnrolment(db, settings.keys, user.id, secret))) throw conflict('totp_already_enabled', 'Two-factor login is already on; turn it off first to change the authenticator');
      await recordAudit(db, { ...auditContext(request), action: 'auth.totp.enrol' });
      const shown = await deps.describe(user);
      return { secret, otpauthUri: totpUri(secret, settings.issuer, shown.login) };
    },
  );

  app.post(
    '/auth/totp/confirm',
    {
      config: { access: 'authenticated', restricted: 'allowed' },
      schema: { tags, summary: 'Finish enrolment with the first code; answers the recovery codes (shown this once)', body: Type.Object({ code: Code }, { additionalProperties: false }), response: { 200: RecoveryCodes } },
    },
    async (request) => {
      if (request.sessionRestriction === 'read_only') throw forbidden('read_only_session', 'This session can only look: it was opened read-only');
      const user = request.user!;
      const row = await findTotp(db, user.id);
      if (!row) throw conflict('totp_not_started', 'Start with POST /auth/totp/enrol');
      if (row.confirmed_at) throw conflict('totp_already_enabled', 'Two-factor login is already on');
      if ((await cache.incr(`totp-proof:${user.id}`, 300).catch(() => 0)) > 10) throw tooManyRequests('too_many_attempts', 'Too many codes tried; wait a few minutes', 300);
      const verdict = await acceptTotpCode(db, settings.keys, user.id, request.body.code, { confirm: true });
      if (verdict !== 'ok') throw refused('totp_invalid', 'The code does not match; check the time on your phone and try the next code');
      return database.transaction(async (trx) => {
        const recoveryCodes = await replaceRecoveryCodes(trx, user.id);
        if (request.session) await clearSessionRestriction(trx, request.session.tokenHash);
        await recordAudit(trx, { ...auditContext(request), action: 'auth.totp.enabled' });
        return { recoveryCodes };
      });
    },
  );

  app.post(
    '/auth/totp/recovery-codes',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'New recovery codes (the old ones stop working); needs a current code', body: Proof, response: { 200: RecoveryCodes } } },
    async (request) => {
      if (!(await findTotp(db, request.user!.id))?.confirmed_at) throw conflict('totp_not_enabled', 'Two-factor login is off');
      await proveNow(request, request.body);
      const recoveryCodes = await replaceRecoveryCodes(db, request.user!.id);
      await recordAudit(db, { ...auditContext(request), action: 'auth.totp.recovery_codes' });
      return { recoveryCodes };
    },
  );

  app.post(
    '/auth/totp/disable',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'Turn two-factor login off (where it is optional); needs a current code', body: Proof, response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (settings.mode === 'required') throw forbidden('totp_required', 'Two-factor login is required here and cannot be turned off');
      if (!(await findTotp(db, request.user!.id))?.confirmed_at) throw conflict('totp_not_enabled', 'Two-factor login is off');
      await proveNow(request, request.body);
      await database.transaction(async (trx) => {
        await removeTotp(trx, request.user!.id);
        await recordAudit(trx, { ...auditContext(request), action: 'auth.totp.disabled' });
      });
      return reply.status(204).send(null);
    },
  );

  return { challenge: (userId: string, ip: string | null) => createLoginChallenge(db, userId, settings.challengeMinutes ?? 5, ip) };
}
