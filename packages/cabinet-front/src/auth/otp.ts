import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '@app/kernel';
import type { Pii } from '../crypto/pii.js';

/** The rules of one-time codes, in one place. */
export interface OtpPolicy {
  /** A code is good this long after it was sent. */
  ttlMinutes: number;
  /** Wrong codes before the challenge is spent (a new code via resend starts the count again). */
  maxAttempts: number;
  /** Minimum pause between two sends of one challenge. */
  resendSeconds: number;
  /** Sends per challenge, the first included: bounds guesses to maxSends × maxAttempts of a million. */
  maxSends: number;
  /** New challenges per contact per hour, and per client address per hour. */
  startsPerContactPerHour: number;
  startsPerIpPerHour: number;
}

export const defaultOtpPolicy: OtpPolicy = { ttlMinutes: 10, maxAttempts: 5, resendSeconds: 60, maxSends: 5, startsPerContactPerHour: 5, startsPerIpPerHour: 30 };

export const newChallengeId = () => randomUUID();
export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** A code is kept only as an HMAC bound to its challenge: the same code in two challenges hashes differently. */
export const codeHash = (pii: Pii, challengeId: string, code: string) => pii.index('otp', `${challengeId}:${code}`);
/** For challenges that must never confirm (unknown login, already registered): no code hashes to it. */
export const unmatchableHash = (pii: Pii, challengeId: string) => pii.index('otp-decoy', `${challengeId}:${randomUUID()}`);

export function sameHash(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ChallengeState {
  consumed_at: Date | null;
  expires_at: Date;
  attempts: number;
  max_attempts: number;
}

/** Why a challenge can take no (more) codes, or undefined when it can. Pure. */
export function challengeRefusal(challenge: ChallengeState, now: Date): AppError | undefined {
  if (challenge.consumed_at) return new AppError('otp_already_used', 409, 'This code has been used already; start again');
  if (challenge.attempts >= challenge.max_attempts) {
    return new AppError('otp_attempts_exceeded', 422, 'Too many wrong codes; ask for a new code', { errors: [{ field: 'code', code: 'otp_attempts_exceeded', message: 'Too many wrong codes' }] });
  }
  if (challenge.expires_at <= now) {
    return new AppError('otp_expired', 422, 'The code has expired; ask for a new one', { errors: [{ field: 'code', code: 'otp_expired', message: 'The code has expired' }] });
  }
  return undefined;
}

export const wrongCode = (attemptsLeft: number) =>
  new AppError('otp_wrong_code', 422, 'The code is wrong', { attemptsLeft, errors: [{ field: 'code', code: 'otp_wrong_code', message: 'The code is wrong' }] });
