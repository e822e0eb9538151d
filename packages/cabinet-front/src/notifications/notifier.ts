import type { Logger } from '@app/kernel';
import nodemailer, { type Transporter } from 'nodemailer';

/** An e-mail to a consumer. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail. SMTP in service; the recording one in tests; the log one in development. */
export interface Notifier {
  send(mail: Mail): Promise<void>;
}

export class RecordingNotifier implements Notifier {
  readonly sent: Mail[] = [];
  async send(mail: Mail) {
    this.sent.push(mail);
  }
}

/** Development without SMTP_URL: the e-mail is logged (subject only: the text may hold personal data). */
export class LogNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}
  async send(mail: Mail) {
    this.logger.info({ subject: mail.subject }, 'development notifier: e-mail not sent (set SMTP_URL)');
  }
}

/** SMTP through nodemailer: `SMTP_URL` = smtp(s)://user:password@host:port, `MAIL_FROM` the sender. */
export class SmtpNotifier implements Notifier {
  private readonly transport: Transporter;
  constructor(url: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(url);
  }
  async send(mail: Mail) {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }
  close() {
    this.transport.close();
  }
}

export function notifierFrom(settings: { SMTP_URL?: string; MAIL_FROM?: string }, logger: Logger): Notifier {
  return settings.SMTP_URL ? new SmtpNotifier(settings.SMTP_URL, settings.MAIL_FROM ?? 'cabinet@localhost') : new LogNotifier(logger);
}
