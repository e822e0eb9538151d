import { Type } from 'typebox';
import { AppError, auditContext, badRequest, notFound, recordAudit, type HttpApp } from '@app/kernel';
import type { Database } from '@app/kernel';
import type { Pii } from '../crypto/pii.js';
import type { CabinetFrontDb } from '../tables.js';
import { parseEmail, parseLogin, parsePhone, type Contact } from './contact.js';
import { describeConsumerUser } from './consumer-users.repo.js';
import type { Registration } from './registration.service.js';
import * as S from './registration.schema.js';

const tags = ['auth'];
const consumer = { access: { roles: ['consumer'] } } as const;

/**
 * Registration with an e-mail or phone confirmed by a one-time code, and password recovery by code.
 * These are public routes called without a session, so they are exempt from the CSRF header; every
 * one of them is rate-limited through the challenge rules (otp.ts).
 */
export function registerRegistrationRoutes(app: HttpApp, deps: { registration: Registration; database: Database<CabinetFrontDb>; pii: Pii }) {
  const { registration, database, pii } = deps;
  const audit = (request: Parameters<typeof auditContext>[0], action: string, targetId: string | null, outcome: 'success' | 'failure' = 'success') =>
    recordAudit(database.db, { ...auditContext(request), action, targetType: 'user', targetId, outcome });

  app.post(
    '/auth/register',
    { config: { access: 'public', csrf: false }, schema: { tags, summary: 'Start registration: sends a 6-digit code to the e-mail or phone', body: S.StartRegistration, response: { 202: S.ChallengeAnswer } } },
    async (request, reply) => reply.status(202).send(await registration.startRegistration(contactOf(request.body), request.ip)),
  );

  app.post(
    '/auth/register/:challengeId/resend',
    { config: { access: 'public', csrf: false }, schema: { tags, summary: 'Send a new code (at most once a minute, five times per registration)', params: S.ChallengeParams, response: { 202: S.ChallengeAnswer } } },
    async (request, reply) => reply.status(202).send(await registration.resend(request.params.challengeId, 'register')),
  );

  app.post(
    '/auth/register/:challengeId/confirm',
    { config: { access: 'public', csrf: false }, schema: { tags, summary: 'Confirm with the code and set the password; then log in', params: S.ChallengeParams, body: S.ConfirmRegistration, response: { 201: S.Registered } } },
    async (request, reply) => {
      const result = await registration.confirmRegistration({ challengeId: request.params.challengeId, ...request.body });
      await audit(request, 'consumer.register', result.userId);
      return reply.status(201).send({ id: result.userId, login: result.contact.value });
    },
  );

  app.post(
    '/auth/password/forgot',
    { config: { access: 'public', csrf: false }, schema: { tags, summary: 'Start password recovery: sends a code to the e-mail or phone of the account', body: S.StartReset, response: { 202: S.ChallengeAnswer } } },
    async (request, reply) => {
      const contact = parseLogin(request.body.login);
      if (!contact) throw badRequest('login_invalid', 'Give the e-mail or phone you registered with', 'login');
      return reply.status(202).send(await registration.startReset(contact, request.ip));
    },
  );

  app.post(
    '/auth/password/:challengeId/resend',
    { config: { access: 'public', csrf: false }, schema: { tags, summary: 'Send a new recovery code', params: S.ChallengeParams, response: { 202: S.ChallengeAnswer } } },
    async (request, reply) => reply.status(202).send(await registration.resend(request.params.challengeId, 'reset')),
  );

  app.post(
    '/auth/password/:challengeId/reset',
    { config: { access: 'public', csrf: false }, schema: { tags, summary: 'Set a new password with the recovery code; other sessions end', params: S.ChallengeParams, body: S.ConfirmReset, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const { userId } = await registration.confirmReset({ challengeId: request.params.challengeId, ...request.body });
      await audit(request, 'consumer.password_reset', userId);
      return reply.status(204).send(null);
    },
  );

  app.get('/api/me', { config: consumer, schema: { tags, summary: 'The logged-in consumer: login (e-mail or phone) and name', response: { 200: S.Me } } }, async (request) => {
    const me = await describeConsumerUser(database.db, pii, request.user!.id);
    if (!me) throw notFound();
    return me;
  });
}

function contactOf(body: { email?: string; phone?: string }): Contact {
  if (body.email && body.phone) throw new AppError('one_contact_only', 400, 'Give an e-mail or a phone, not both', { errors: [{ field: 'phone', code: 'one_contact_only', message: 'Give an e-mail or a phone, not both' }] });
  if (body.email) return parseEmail(body.email) ?? fail('email', 'email_invalid', 'This is not an e-mail address');
  if (body.phone) return parsePhone(body.phone) ?? fail('phone', 'phone_invalid', 'This is not a phone number');
  return fail('email', 'contact_required', 'Give an e-mail or a phone');
}

function fail(field: string, code: string, message: string): never {
  throw badRequest(code, message, field);
}
