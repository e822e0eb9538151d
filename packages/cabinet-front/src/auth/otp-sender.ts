import { smsRuGateway, unavailable, type Gateway, type Logger } from '@app/kernel';
import { SmtpNotifier, type Notifier } from '../notifications/notifier.js';
import { maskContact, type Contact } from './contact.js';

/**
 * Delivers one-time codes: by e-mail (SMTP) and SMS (SMS.ru) through DeliveringOtpSender below; tests
 * record messages in memory; development without a channel logs the code so `npm start` can be used by
 * hand. Production refuses to start without a channel rather than print codes into logs.
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

/** The sender the environment names (see otpSenderFrom): what the cabinet uses unless a test gives its own. */
export function defaultOtpSender(nodeEnv: string | undefined, logger: Logger, env: Record<string, string | undefined> = process.env): OtpSender {
  return otpSenderFrom({ SMTP_URL: env.SMTP_URL, MAIL_FROM: env.MAIL_FROM, SMS_RU_URL: env.SMS_RU_URL, SMS_RU_API_ID: env.SMS_RU_API_ID, SMS_RU_FROM: env.SMS_RU_FROM, NODE_ENV: nodeEnv }, logger);
}

/**
 * One-time codes (registration, password recovery, simple signature) delivered for real: e-mail through
 * the same SMTP notifier as the cabinet's other e-mails (`SMTP_URL`, `MAIL_FROM`), phones through SMS.ru
 * (`SMS_RU_URL`, default https://sms.ru; `SMS_RU_API_ID`; `SMS_RU_FROM`, the sender name agreed with
 * SMS.ru) — the kernel's adapter, also used by prepaid. A channel that fails answers 503
 * `otp_delivery_unavailable` (the consumer asks again); the code is never logged.
 *
 * Production refuses to start when neither channel is configured; with one, contacts of the other kind
 * get 503. Outside production an unconfigured channel logs the code (development, `npm start`).
 */
export interface OtpDeliverySettings {
  NODE_ENV?: string;
  SMTP_URL?: string;
  MAIL_FROM?: string;
  SMS_RU_URL?: string;
  SMS_RU_API_ID?: string;
  SMS_RU_FROM?: string;
}

export class DeliveringOtpSender implements OtpSender {
  constructor(
    private readonly channels: { email?: Notifier; sms?: Gateway; fallback?: OtpSender },
    private readonly logger: Logger,
  ) {}

  async send(message: OtpMessage): Promise<void> {
    const { subject, text } = otpText(message);
    try {
      if (message.to.kind === 'email' && this.channels.email) return await this.channels.email.send({ to: message.to.value, subject, text });
      if (message.to.kind === 'phone' && this.channels.sms) {
        await this.channels.sms.send({ address: message.to.value, subject, body: text });
        return;
      }
    } catch (err) {
      this.logger.warn({ to: maskContact(message.to), kind: message.kind, err: (err as Error).message }, 'one-time code not delivered');
      throw unavailable('otp_delivery_unavailable', 'The code could not be sent right now; try again later');
    }
    if (this.channels.fallback) return this.channels.fallback.send(message);
    throw unavailable('otp_delivery_unavailable', `Codes cannot be sent to ${message.to.kind === 'email' ? 'e-mail' : 'a phone'} here; use the other contact`);
  }
}

/** The sender the settings name; throws in production when none is configured. */
export function otpSenderFrom(settings: OtpDeliverySettings, logger: Logger): OtpSender {
  const email = settings.SMTP_URL ? new SmtpNotifier(settings.SMTP_URL, settings.MAIL_FROM ?? 'cabinet@localhost') : undefined;
  const sms = settings.SMS_RU_API_ID ? smsRuGateway({ url: settings.SMS_RU_URL ?? 'https://sms.ru', apiId: settings.SMS_RU_API_ID, ...(settings.SMS_RU_FROM ? { from: settings.SMS_RU_FROM } : {}) }) : undefined;
  const production = settings.NODE_ENV === 'production';
  if (!email && !sms) {
    if (production) throw new Error('SMTP_URL or SMS_RU_API_ID must be set in production: one-time codes (registration, recovery, signatures) need a way to reach people');
    return new LogOtpSender(logger);
  }
  return new DeliveringOtpSender({ ...(email ? { email } : {}), ...(sms ? { sms } : {}), ...(production ? {} : { fallback: new LogOtpSender(logger) }) }, logger);
}

const PURPOSE: Record<OtpMessage['kind'], { subject: string; lead: string }> = {
  register: { subject: 'Код подтверждения регистрации', lead: 'Код подтверждения регистрации в личном кабинете' },
  reset: { subject: 'Код восстановления пароля', lead: 'Код для восстановления пароля личного кабинета' },
  sign: { subject: 'Код для подписания документа', lead: 'Код для подписания документа простой электронной подписью' },
  already_registered: { subject: 'Личный кабинет уже зарегистрирован', lead: '' },
};

/** The text of a code message (Russian, the consumers' language; short enough for one SMS). Pure. */
export function otpText(message: OtpMessage): { subject: string; text: string } {
  const purpose = PURPOSE[message.kind];
  if (message.kind === 'already_registered' || !message.code) {
    return { subject: purpose.subject, text: 'С этим адресом уже зарегистрирован личный кабинет. Если вы забыли пароль, восстановите его на странице входа.' };
  }
  const minutes = Math.max(1, Math.round((message.expiresAt.getTime() - Date.now()) / 60_000));
  return { subject: purpose.subject, text: `${purpose.lead}: ${message.code}. Действует ${minutes} мин. Никому не сообщайте код.` };
}
