import { createHmac } from 'node:crypto';
import { loginWithTotp } from '@app/kernel/testing';

/**
 * The supplier's employee in browser tests of the consumer cabinet: the back office's HTTP API at
 * stack.backUrl (its own UI is tested on its own), logged in as the demo `employee`, so a test can
 * answer a request, ask for information or issue a contract the way the back office does.
 */
export interface Employee {
  call<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T; bytes: Buffer }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- answers are read field by field
}

export async function employeeSession(backUrl: string, login = 'employee', password = 'BackOffice-2026!'): Promise<Employee> {
  // Staff log in with password + TOTP (enrolled at first login by the kernel's test helper).
  const staff = await loginWithTotp(backUrl, { login, password });
  const cookie = Object.entries(staff.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  const csrfToken = staff.csrf;
  const session: Employee = {
    async call(method, path, body) {
      const answer = await fetch(`${backUrl}${path}`, {
        method,
        headers: { cookie, 'x-csrf-token': csrfToken, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      const type = answer.headers.get('content-type') ?? '';
      return { status: answer.status, body: type.includes('json') ? JSON.parse(bytes.toString('utf8')) : null, bytes };
    },
  };
  // The back office may require two-factor login: a fresh employee enrols an authenticator (this test is it).
  const enrol = await session.call('POST', '/auth/totp/enrol', {});
  if (enrol.status === 200) {
    const confirmed = await session.call('POST', '/auth/totp/confirm', { code: totp(enrol.body.secret as string) });
    if (confirmed.status !== 200) throw new Error(`back-office two-factor enrolment: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  }
  return session;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator app shows it. */
export function totp(secretBase32: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A small valid-looking PDF (the front and back sniff files by their bytes). */
export const pdfBytes = (text: string) => Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`);
