import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderNotification } from './messages.js';
import { SmtpNotifier } from './notifier.js';

/** The SMTP notifier against a real SMTP server (smtp-server) in its own process, started by the test. */
describe('SmtpNotifier', () => {
  let server: ChildProcess;
  let port = 0;
  const received: Array<{ from: string; to: string[]; raw: string }> = [];
  beforeAll(async () => {
    const script = fileURLToPath(new URL('./testing/smtp-sink.ts', import.meta.url));
    server = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { port?: number; from: string; to: string[]; raw: string };
      if (message.port) port = message.port;
      else received.push(message);
    });
    await waitFor(() => port > 0, { what: 'SMTP server listening', timeoutMs: 20_000 });
  });
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('delivers the e-mail of a status change, Cyrillic intact', async () => {
    const notifier = new SmtpNotifier(`smtp://127.0.0.1:${port}`, 'cabinet@supplier.test');
    const mail = renderNotification({ subjectKind: 'request', subjectId: '0190abcd-0000-7000-8000-000000000000', event: 'status:answered' });
    await notifier.send({ to: 'consumer@mail.test', ...mail });
    notifier.close();
    await waitFor(() => received.length === 1, { what: 'message received' });
    expect(received[0]).toMatchObject({ from: 'cabinet@supplier.test', to: ['consumer@mail.test'] });
    const parsed = parseMail(received[0]!.raw);
    expect(parsed.subject).toBe('Обращение № 0190ABCD: получен ответ');
    expect(parsed.text).toContain('Статус: получен ответ.');
  });

  it('fails loudly when the server is not there, so the dispatcher retries', async () => {
    const notifier = new SmtpNotifier('smtp://127.0.0.1:9', 'cabinet@supplier.test');
    await expect(notifier.send({ to: 'consumer@mail.test', subject: 's', text: 't' })).rejects.toThrow();
    notifier.close();
  });
});

/** Just enough MIME for one text/plain message: encoded-word headers, base64 or quoted-printable body. */
function parseMail(raw: string) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head!.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1] ?? '';
  const words = (value: string) =>
    value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')));
  const qp = (text: string) => Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const body = rest.join('\n\n');
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : encoding === 'quoted-printable' ? qp(body) : body;
  return { subject: words(header('Subject')).trim(), text };
}
