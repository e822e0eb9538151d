import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Pii } from '../crypto/pii.js';

/**
 * How an e-mail or phone becomes the one form we compare: e-mail trimmed and lower-cased, phone in
 * E.164 (numbers written the Russian way, 8 912 … or 912 …, are read as +7). Pure.
 */
export type Contact = { kind: 'email'; value: string } | { kind: 'phone'; value: string };

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

export function parseEmail(input: string): Contact | undefined {
  const value = input.trim().toLowerCase();
  return EMAIL.test(value) ? { kind: 'email', value } : undefined;
}

export function parsePhone(input: string): Contact | undefined {
  const trimmed = input.trim();
  // "8 912 …" is the domestic trunk prefix for +7; libphonenumber reads it so with the RU default.
  const phone = parsePhoneNumberFromString(trimmed, 'RU');
  return phone?.isValid() ? { kind: 'phone', value: phone.number } : undefined;
}

/** A login as typed: an e-mail when it has an @, a phone otherwise. */
export function parseLogin(input: string): Contact | undefined {
  return input.includes('@') ? parseEmail(input) : parsePhone(input);
}

/**
 * The kernel users table's login key: a blind index of the normalised contact, so the table holds no
 * e-mail or phone in clear and a login still finds its row by equality. A login that is neither
 * (a typo) gets a key no registration can have.
 */
export function loginKeyOf(pii: Pii, login: string): string {
  const contact = parseLogin(login);
  return pii.index('login', contact ? `${contact.kind}:${contact.value}` : `invalid:${login.trim().toLowerCase()}`);
}

/** The separate index of the contact columns (unique e-mail, unique phone). */
export function contactIndexOf(pii: Pii, contact: Contact): string {
  return pii.index(`contact.${contact.kind}`, contact.value);
}

/** For logs and the dev OTP sender: enough to recognise, not enough to collect. */
export function maskContact(contact: Contact): string {
  if (contact.kind === 'email') {
    const [user = '', domain = ''] = contact.value.split('@');
    return `${user.slice(0, 1)}***@${domain}`;
  }
  return `${contact.value.slice(0, 3)}*****${contact.value.slice(-2)}`;
}
