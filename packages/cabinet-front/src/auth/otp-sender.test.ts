import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger, startSmsRuEmulator } from '@app/kernel';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFront, type Front } from '../testing/fixture.js';
import { otpSenderFrom, otpText } from './otp-sender.js';

/**
 * One-time codes through the real channels: e-mail to an SMTP server (smtp-server) in its own process,
 * SMS to the SMS.ru emulator; the consumer registers with the code the message carried. Production
 * refuses to start without a channel.
 */
const logger = createLogger({ service: 'otp-test', level: 'silent' });

describe('one-time codes delivered by e-mail (SMTP) and SMS (SMS.ru)', () => {
  let smtp: ChildProcess;
  let smtpPort = 0;
  const mails: Array<{ to: string[]; raw: string }> = [];
  let sms: Awaited<ReturnType<typeof startSmsRuEmulator>>;
  let front: Front;
  let n = 0;
  const ip = () => `10.30.0.${++n}`;

  beforeAll(async () => {
    const script = fileURLToPath(new URL('../notifications/testing/smtp-sink.ts', import.meta.url));
    smtp = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: smtp.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; to: string[]; raw: string };
      if (message.port) smtpPort = message.port;
      else mails.push(message);
    });
    await waitFor(() => smtpPort > 0, { what: 'SMTP server listening', timeoutMs: 20_000 });
    sms = await startSmsRuEmulator({ apiId: 'cabinet-api-id' });
    const sender = otpSenderFrom({ NODE_ENV: 'production', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'cabinet@supplier.test', SMS_RU_URL: sms.url, SMS_RU_API_ID: 'cabinet-api-id' }, logger);
    front = await startFront({ otpSender: sender, otpPolicy: { resendSeconds: 0 } });
  });
  afterAll(async () => {
    await front?.close();
    await sms?.close();
    smtp?.kill('SIGTERM');
  });

  const codeIn = (text: string) => /\b([0-9]{6})\b/.exec(text)?.[1];

  it('registers with the code an e-mail brought', async () => {
    const start = await front.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'mail.user@consumer.test' }, remoteAddress: ip() });
    expect(start.statusCode, start.body).toBe(202);
    const mail = await waitFor(() => mails.find((m) => m.to.includes('mail.user@consumer.test')), { what: 'the code e-mail' });
    const raw = mail.raw.replace(/=\r?\n/g, '');
    const body = /Content-Transfer-Encoding: base64/i.test(raw) ? Buffer.from(raw.split(/\r?\n\r?\n/).slice(1).join('').replace(/\s+/g, ''), 'base64').toString('utf8') : raw;
    const code = codeIn(body.replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
    expect(code).toMatch(/^[0-9]{6}$/);
    const confirm = await front.app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code, password: 'Mail-Strong-2026' } });
    expect(confirm.statusCode, confirm.body).toBe(201);
    expect((await front.login('mail.user@consumer.test', 'Mail-Strong-2026')).me.login).toBe('mail.user@consumer.test');
  });

  it('registers with the code an SMS brought', async () => {
    const start = await front.app.inject({ method: 'POST', url: '/auth/register', payload: { phone: '+7 916 000-11-22' }, remoteAddress: ip() });
    expect(start.statusCode, start.body).toBe(202);
    const message = await waitFor(() => sms.messages.find((m) => m.to === '79160001122'), { what: 'the code SMS' });
    expect(message.text).toContain('Код подтверждения регистрации');
    const confirm = await front.app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code: codeIn(message.text), password: 'Sms-Strong-2026' } });
    expect(confirm.statusCode, confirm.body).toBe(201);
  });

  it('answers 503 otp_delivery_unavailable when the channel fails, and never logs the code', async () => {
    const broken = otpSenderFrom({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:9' }, logger);
    await expect(broken.send({ to: { kind: 'email', value: 'x@consumer.test' }, kind: 'register', code: '123456', expiresAt: new Date(Date.now() + 600_000) })).rejects.toMatchObject({ code: 'otp_delivery_unavailable', status: 503 });
    // Only e-mail configured in production: a phone cannot be reached.
    await expect(broken.send({ to: { kind: 'phone', value: '+79160001122' }, kind: 'reset', code: '123456', expiresAt: new Date() })).rejects.toMatchObject({ code: 'otp_delivery_unavailable' });
  });

  it('refuses to start in production without a channel; logs codes only outside production', () => {
    expect(() => otpSenderFrom({ NODE_ENV: 'production' }, logger)).toThrow(/must be set in production/);
    expect(() => otpSenderFrom({ NODE_ENV: 'development' }, logger)).not.toThrow();
    expect(otpText({ to: { kind: 'phone', value: '+7' }, kind: 'sign', code: '042042', expiresAt: new Date(Date.now() + 10 * 60_000) }).text).toBe('Код для подписания документа простой электронной подписью: 042042. Действует 10 мин. Никому не сообщайте код.');
  });
});
