import type { HttpApp } from '../http/app.js';
import { totpCode, totpStep } from '../auth/totp.js';

/**
 * Logs a user in the real way where two-factor login is on: password, then (first time) enrol an
 * authenticator and confirm it with a computed code, then log in again with password + code. The
 * secrets and recovery codes a test enrolled are remembered per app (or base URL) and login, and each
 * code is used once (the service refuses a replay): the next step's code, then recovery codes.
 * Works the same where two-factor login is off (one password step).
 */
export interface TestLogin {
  statusCode: number;
  cookies: Record<string, string>;
  csrf: string;
  /** What /auth/login answered (id, login, roles, csrfToken, …). */
  me: Record<string, unknown> & { id: string; csrfToken: string; roles: string[] };
  /** The recovery codes enrolment gave (when this call enrolled). */
  recoveryCodes?: string[];
}

interface Remembered {
  secret: string;
  lastStep: number;
  recoveryCodes: string[];
}

type Target = HttpApp | string;
interface Answer {
  status: number;
  body: Record<string, unknown>;
  cookies: Record<string, string>;
}

const remembered = new Map<Target, Map<string, Remembered>>();
const memory = (target: Target) => remembered.get(target) ?? remembered.set(target, new Map()).get(target)!;

async function post(target: Target, url: string, body: unknown, session: { cookies: Record<string, string>; csrf?: string } | null, remoteAddress?: string): Promise<Answer> {
  const headers: Record<string, string> = session?.csrf ? { 'x-csrf-token': session.csrf } : {};
  if (typeof target !== 'string') {
    const res = await target.inject({ method: 'POST', url, payload: body as object, cookies: session?.cookies ?? {}, headers, ...(remoteAddress ? { remoteAddress } : {}) });
    return { status: res.statusCode, body: res.body ? (res.json() as Record<string, unknown>) : {}, cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])) };
  }
  const cookie = Object.entries(session?.cookies ?? {}).map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(new URL(url, target), { method: 'POST', headers: { 'content-type': 'application/json', ...headers, ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  const cookies = Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]).filter(([, v]) => v !== ''));
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, cookies };
}

const fail = (what: string, answer: Answer): never => {
  throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
};

/** A code (or recovery code) for the next login of a remembered user: never one used before. */
export function nextTotpProof(target: Target, login: string): { code: string } | { recoveryCode: string } {
  const entry = memory(target).get(login.trim().toLowerCase());
  if (!entry) throw new Error(`no authenticator enrolled by this test for ${login}`);
  const step = Math.max(totpStep(), entry.lastStep + 1);
  if (step <= totpStep() + 1) {
    entry.lastStep = step;
    return { code: totpCode(entry.secret, step) };
  }
  const recoveryCode = entry.recoveryCodes.pop();
  if (!recoveryCode) throw new Error(`out of codes for ${login}: more than two logins in 30 s and ten recovery codes used`);
  return { recoveryCode };
}

/** The authenticator secret this test enrolled for a login (browser tests type codes from it). */
export function enrolledTotpSecret(target: Target, login: string): string | undefined {
  return memory(target).get(login.trim().toLowerCase())?.secret;
}

export async function loginWithTotp(target: Target, credentials: { login: string; password: string }, options: { remoteAddress?: string } = {}): Promise<TestLogin> {
  const key = credentials.login.trim().toLowerCase();
  const first = await post(target, '/auth/login', { login: credentials.login, password: credentials.password }, null, options.remoteAddress);
  if (first.status === 202 && first.body.status === 'totp_required') {
    const second = await post(target, '/auth/login/totp', { challenge: first.body.challenge, ...nextTotpProof(target, key) }, null, options.remoteAddress);
    if (second.status !== 200) fail(`second login step of ${credentials.login}`, second);
    return { statusCode: 200, cookies: second.cookies, csrf: String(second.body.csrfToken), me: second.body as TestLogin['me'] };
  }
  if (first.status !== 200) fail(`login of ${credentials.login}`, first);
  const session = { cookies: first.cookies, csrf: String(first.body.csrfToken) };
  if (first.body.restriction !== 'totp_enrolment') return { statusCode: 200, ...session, me: first.body as TestLogin['me'] };

  const enrol = await post(target, '/auth/totp/enrol', {}, session);
  if (enrol.status !== 200) fail(`enrolment of ${credentials.login}`, enrol);
  const secret = String(enrol.body.secret);
  const step = totpStep();
  const confirm = await post(target, '/auth/totp/confirm', { code: totpCode(secret, step) }, session);
  if (confirm.status !== 200) fail(`enrolment confirmation of ${credentials.login}`, confirm);
  const recoveryCodes = [...(confirm.body.recoveryCodes as string[])];
  memory(target).set(key, { secret, lastStep: step, recoveryCodes: [...recoveryCodes] });
  // The enrolment session is now a full one (its restriction lifted on confirmation).
  return { statusCode: 200, ...session, me: { ...(first.body as TestLogin['me']), restriction: undefined }, recoveryCodes };
}
