import { createServer, type Server } from 'node:http';

/**
 * A local stand-in for the SMS.ru HTTP API (POST /sms/send with api_id, to, msg, json=1), answering in
 * its format: wrong api_id → status ERROR 200, a malformed number → per-number ERROR 202, otherwise
 * OK 100 with an sms_id. GET /messages lists what it took. For tests and `npm start` on a laptop.
 */
export interface EmulatedSms {
  id: string;
  to: string;
  text: string;
  at: string;
}

export async function startSmsEmulator(options: { apiId: string; port?: number; host?: string }): Promise<{ url: string; messages: EmulatedSms[]; close(): Promise<void>; server: Server }> {
  const messages: EmulatedSms[] = [];
  let next = 1;
  const server = createServer((req, res) => {
    const reply = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/messages') return reply(messages);
    if (req.method !== 'POST' || !req.url?.startsWith('/sms/send')) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('api_id') !== options.apiId) return reply({ status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' });
      const sms: Record<string, unknown> = {};
      for (const to of (form.get('to') ?? '').split(',').filter(Boolean)) {
        if (!/^7\d{10}$/.test(to)) {
          sms[to] = { status: 'ERROR', status_code: 202, status_text: 'Неправильно указан номер телефона получателя' };
          continue;
        }
        const id = `000000-${String(next++).padStart(8, '0')}`;
        messages.push({ id, to, text: form.get('msg') ?? '', at: new Date().toISOString() });
        sms[to] = { status: 'OK', status_code: 100, sms_id: id };
      }
      reply({ status: 'OK', status_code: 100, sms, balance: 100 });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, messages, server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
