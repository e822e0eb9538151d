import {
  AppError,
  createUser,
  defaultHashing,
  deleteUserSessions,
  findUserByLoginKey,
  hashPassword,
  notFound,
  passwordProblems,
  resetLoginFailures,
  setPasswordHash,
  tooManyRequests,
  type Cache,
  type Database,
  type PasswordHashing,
} from '@app/kernel';
import type { Pii } from '../crypto/pii.js';
import type { CabinetFrontDb } from '../tables.js';
import { contactIndexOf, loginKeyOf, type Contact } from './contact.js';
import { challengeRefusal, codeHash, defaultOtpPolicy, newChallengeId, newCode, sameHash, unmatchableHash, wrongCode, type OtpPolicy } from './otp.js';
import { consumeChallenge, findChallenge, insertChallenge, renewCode, takeAttempt, type Challenge } from './otp.repo.js';
import type { OtpSender } from './otp-sender.js';
import { insertConsumerUser } from './consumer-users.repo.js';

export interface ChallengeAnswer {
  challengeId: string;
  expiresAt: string;
  resendAfterSeconds: number;
}

export const CONSUMER_ROLE = 'consumer';

/**
 * Registration and password recovery by one-time code. Starting either always answers the same way
 * (a challenge id), whether or not the address has an account, so the API does not tell which
 * addresses are registered; the message that goes out differs (a code, or "you already have an account").
 */
export class Registration {
  private readonly policy: OtpPolicy;
  private readonly hashing: PasswordHashing;
  constructor(
    private readonly deps: { database: Database<CabinetFrontDb>; pii: Pii; sender: OtpSender; cache: Cache; hashing?: PasswordHashing; policy?: Partial<OtpPolicy> },
  ) {
    this.policy = { ...defaultOtpPolicy, ...deps.policy };
    this.hashing = deps.hashing ?? defaultHashing;
  }

  async startRegistration(contact: Contact, ip: string): Promise<ChallengeAnswer> {
    const index = contactIndexOf(this.deps.pii, contact);
    await this.limitStarts(index, ip);
    const db = this.deps.database.db;
    const column = contact.kind === 'email' ? 'email_index' : 'phone_index';
    const taken = await db.selectFrom('consumer_users').select('user_id').where(column, '=', index).executeTakeFirst();
    return this.issue({ purpose: 'register', contact, index, userId: null, deliver: taken ? 'already_registered' : 'register' });
  }

  async startReset(contact: Contact, ip: string): Promise<ChallengeAnswer> {
    const index = contactIndexOf(this.deps.pii, contact);
    await this.limitStarts(index, ip);
    const user = await findUserByLoginKey(this.deps.database.db, loginKeyOf(this.deps.pii, contact.value));
    return this.issue({ purpose: 'reset', contact, index, userId: user?.id ?? null, deliver: user ? 'reset' : 'nothing' });
  }

  async resend(challengeId: string, purpose: Challenge['purpose']): Promise<ChallengeAnswer> {
    const { database, pii } = this.deps;
    const challenge = await findChallenge(database.db, challengeId, purpose);
    if (!challenge) throw challengeNotFound();
    if (challenge.consumed_at) throw new AppError('otp_already_used', 409, 'This code has been used already; start again');
    if (challenge.sends >= this.policy.maxSends) throw tooManyRequests('otp_resend_limit', 'No more codes for this request; start again later', 3600);
    const wait = Math.ceil((challenge.last_sent_at.getTime() + this.policy.resendSeconds * 1000 - Date.now()) / 1000);
    if (wait > 0) throw tooManyRequests('otp_resend_too_soon', `Wait ${wait} s before asking for a new code`, wait);
    const contact = this.contactOf(challenge);
    const deliver = await this.deliveryFor(challenge, contact);
    const code = newCode();
    const hash = deliver === 'register' || deliver === 'reset' ? codeHash(pii, challenge.id, code) : unmatchableHash(pii, challenge.id);
    const renewed = await renewCode(database.db, challenge.id, hash, this.policy.ttlMinutes, this.policy.resendSeconds, this.policy.maxSends);
    if (!renewed) throw tooManyRequests('otp_resend_too_soon', 'Wait before asking for a new code', this.policy.resendSeconds);
    await this.deliver(deliver, contact, code, renewed.expires_at);
    return this.answer(renewed.id, renewed.expires_at);
  }

  /** Checks the code and creates the account: the user row (login key = blind index) and its encrypted contact. */
  async confirmRegistration(input: { challengeId: string; code: string; password: string; displayName?: string }) {
    const contact = await this.peekContact(input.challengeId, 'register');
    const problems = passwordProblems(input.password, contact.value);
    if (problems.length) throw new AppError('password_rejected', 422, problems.map((p) => p.message).join('; '), { errors: problems });
    const challenge = await this.checkCode(input.challengeId, 'register', input.code);
    const { database, pii } = this.deps;
    return database.transaction(async (trx) => {
      if (!(await consumeChallenge(trx, challenge.id))) throw new AppError('otp_already_used', 409, 'This code has been used already; start again');
      const user = await createUser(
        trx,
        { login: contact.value, password: input.password, displayName: '', roles: [CONSUMER_ROLE] },
        { loginKey: (login) => loginKeyOf(pii, login), hashing: this.hashing },
      );
      await insertConsumerUser(trx, pii, user.id, contact, input.displayName);
      return { userId: user.id, contact };
    });
  }

  /** Checks the code and sets the new password; every session of the account ends and a lock-out is lifted. */
  async confirmReset(input: { challengeId: string; code: string; password: string }) {
    const contact = await this.peekContact(input.challengeId, 'reset');
    const problems = passwordProblems(input.password, contact.value);
    if (problems.length) throw new AppError('password_rejected', 422, problems.map((p) => p.message).join('; '), { errors: problems });
    const challenge = await this.checkCode(input.challengeId, 'reset', input.code);
    if (!challenge.user_id) throw wrongCode(0); // a decoy never matches; defensive
    const hash = await hashPassword(input.password, this.hashing);
    const userId = challenge.user_id;
    await this.deps.database.transaction(async (trx) => {
      if (!(await consumeChallenge(trx, challenge.id))) throw new AppError('otp_already_used', 409, 'This code has been used already; start again');
      await setPasswordHash(trx, userId, hash);
      await resetLoginFailures(trx, userId);
      await deleteUserSessions(trx, userId);
    });
    return { userId };
  }

  private async checkCode(challengeId: string, purpose: Challenge['purpose'], code: string): Promise<Challenge> {
    const db = this.deps.database.db;
    const current = await findChallenge(db, challengeId, purpose);
    if (!current) throw challengeNotFound();
    const refusal = challengeRefusal(current, new Date());
    if (refusal) throw refusal;
    const taken = await takeAttempt(db, challengeId);
    if (!taken) throw challengeRefusal((await findChallenge(db, challengeId, purpose))!, new Date()) ?? wrongCode(0);
    if (!sameHash(taken.code_hash, codeHash(this.deps.pii, challengeId, code))) throw wrongCode(taken.max_attempts - taken.attempts);
    return taken;
  }

  private async peekContact(challengeId: string, purpose: Challenge['purpose']): Promise<Contact> {
    const challenge = await findChallenge(this.deps.database.db, challengeId, purpose);
    if (!challenge) throw challengeNotFound();
    return this.contactOf(challenge);
  }

  private contactOf(challenge: Challenge): Contact {
    return { kind: challenge.contact_kind, value: this.deps.pii.open('otp_challenges', 'contact_enc', challenge.id, challenge.contact_enc) };
  }

  private async deliveryFor(challenge: Challenge, contact: Contact): Promise<'register' | 'reset' | 'already_registered' | 'nothing'> {
    if (challenge.purpose === 'reset') return challenge.user_id ? 'reset' : 'nothing';
    const column = contact.kind === 'email' ? 'email_index' : 'phone_index';
    const taken = await this.deps.database.db.selectFrom('consumer_users').select('user_id').where(column, '=', challenge.contact_index).executeTakeFirst();
    return taken ? 'already_registered' : 'register';
  }

  private async issue(input: { purpose: Challenge['purpose']; contact: Contact; index: string; userId: string | null; deliver: 'register' | 'reset' | 'already_registered' | 'nothing' }) {
    const { pii } = this.deps;
    const id = newChallengeId();
    const code = newCode();
    const expiresAt = new Date(Date.now() + this.policy.ttlMinutes * 60_000);
    const matchable = input.deliver === 'register' || input.deliver === 'reset';
    await insertChallenge(this.deps.database.db, {
      id,
      purpose: input.purpose,
      contact_kind: input.contact.kind,
      contact_index: input.index,
      contact_enc: pii.seal('otp_challenges', 'contact_enc', id, input.contact.value),
      user_id: input.userId,
      code_hash: matchable ? codeHash(pii, id, code) : unmatchableHash(pii, id),
      expires_at: expiresAt,
      max_attempts: this.policy.maxAttempts,
    });
    await this.deliver(input.deliver, input.contact, code, expiresAt);
    return this.answer(id, expiresAt);
  }

  private async deliver(kind: 'register' | 'reset' | 'already_registered' | 'nothing', to: Contact, code: string, expiresAt: Date) {
    if (kind === 'nothing') return;
    await this.deps.sender.send(kind === 'already_registered' ? { to, kind, expiresAt } : { to, kind, code, expiresAt });
  }

  private answer(challengeId: string, expiresAt: Date): ChallengeAnswer {
    return { challengeId, expiresAt: expiresAt.toISOString(), resendAfterSeconds: this.policy.resendSeconds };
  }

  private async limitStarts(contactIndex: string, ip: string) {
    const { cache } = this.deps;
    const perContact = await cache.incr(`otp-contact:${contactIndex}`, 3600).catch(() => 0);
    const perIp = await cache.incr(`otp-ip:${ip}`, 3600).catch(() => 0);
    if (perContact > this.policy.startsPerContactPerHour || perIp > this.policy.startsPerIpPerHour) {
      throw tooManyRequests('otp_too_many_requests', 'Too many codes requested; try again in an hour', 3600);
    }
  }
}

const challengeNotFound = () => notFound('otp_challenge_not_found', 'No such confirmation request; start again');
