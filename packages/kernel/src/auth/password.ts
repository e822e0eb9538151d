import argon2 from 'argon2';
import type { FieldProblem } from '../errors/app-error.js';

/**
 * argon2id with OWASP's baseline (19 MiB, 2 passes) raised to 64 MiB / 3 passes: ~50 ms on the target
 * 2-core machine, acceptable per login, expensive per guess. Tests pass cheaper parameters.
 */
export interface PasswordHashing {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const defaultHashing: PasswordHashing = { memoryCost: 64 * 1024, timeCost: 3, parallelism: 1 };
export const fastHashingForTests: PasswordHashing = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export function hashPassword(password: string, params: PasswordHashing = defaultHashing): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...params });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // a malformed stored hash never authenticates
  }
}

export function needsRehash(hash: string, params: PasswordHashing = defaultHashing): boolean {
  return argon2.needsRehash(hash, { ...params });
}

/** Length over composition rules (NIST SP 800-63B): at least 10 characters, not the login, not trivial. */
export function passwordProblems(password: string, login?: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (code: string, message: string) => problems.push({ field: 'password', code, message });
  if (password.length < 10) add('password_too_short', 'Password must be at least 10 characters');
  if (password.length > 256) add('password_too_long', 'Password must be at most 256 characters');
  if (login && password.toLowerCase().includes(login.toLowerCase())) add('password_contains_login', 'Password must not contain the login');
  if (/^(.)\1+$/.test(password) || /^(0123456789|1234567890|qwertyuiop|password\d*)$/i.test(password)) add('password_too_simple', 'Password is too easy to guess');
  return problems;
}
