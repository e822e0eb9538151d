import type { Logger } from '@app/kernel';
import { unavailable } from '@app/kernel';
import { maskContact, type Contact } from './contact.js';

/**
 * Delivers one-time codes. Real e-mail (SMTP) and SMS gateways come with the notifications issue;
 * until then tests record messages in memory, and development logs the code so `npm start` can be
 * used by hand. Production refuses to send rather than print codes into logs.
 */
export interface OtpMessage {
  to: Contact;
  /** `already_registered` carries no code: the address has an account, the message says so. `sign`: a simple electronic signature. */
  kind: 'register' | 'reset' | 'already_registered' | 'sign';
  code?: string;
  expiresAt: Date;
}

export interface OtpSender {
  send(message: OtpMessage): Promise<void>;
}

export class MemoryOtpSender implements OtpSender {
  readonly messages: OtpMessage[] = [];
  async send(message: OtpMessage) {
    this.messages.push(message);
  }
  /** The code most recently sent to `value` (a normalised e-mail or E.164 phone). */
  lastCodeFor(value: string): string | undefined {
    return [...this.messages].reverse().find((m) => m.to.value === value && m.code)?.code;
  }
}

export class LogOtpSender implements OtpSender {
  constructor(private readonly logger: Logger) {}
  async send(message: OtpMessage) {
    this.logger.warn({ to: maskContact(message.to), kind: message.kind, code: message.code }, 'development OTP sender: the one-time code is logged, not delivered');
  }
}

export class UnconfiguredOtpSender implements OtpSender {
  async send(): Promise<void> {
    throw unavailable('otp_delivery_unavailable', 'Codes cannot be delivered right now; try again later');
  }
}

export function defaultOtpSender(nodeEnv: string | undefined, logger: Logger): OtpSender {
  return nodeEnv === 'production' ? new UnconfiguredOtpSender() : new LogOtpSender(logger);
}
