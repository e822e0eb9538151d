import { createServer, type Server } from 'node:http';

/**
 * SMS through the HTTP API of SMS.ru (POST /sms/send, form fields api_id, to, msg, json=1; the answer's
 * per-number status says whether that message was taken), shared by prepaid's notices and the cabinet's
 * one-time codes; and a local emulator of that API for tests and runs on a laptop. `send` returns the
 * gateway's id of the message or throws a GatewayError saying whether a retry can help.
 */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface Notice {
  address: string;
  subject: string;
  body: string;
}

export interface Gateway {
  send(notice: Notice): Promise<string>;
}

interface SmsRuAnswer {
  status: 'OK' | 'ERROR';
  status_code: number;
  status_text?: string;
  sms?: Record<string, { status: 'OK' | 'ERROR'; status_code: number; sms_id?: string; status_text?: string }>;
}

/** SMS.ru: https://sms.ru/api/send — `url` is the API root (https://sms.ru, or the emulator's). */
export function smsRuGateway(options: { url: string; apiId: string; from?: string; fetch?: typeof fetch }): Gateway {
  const doFetch = options.fetch ?? fetch;
  return {
    async send(notice) {
      const to = notice.address.replace(/^\+/, '');
      const form = new URLSearchParams({ api_id: options.apiId, to, msg: notice.body, json: '1', ...(options.from ? { from: options.from } : {}) });
      let answer: SmsRuAnswer;
      try {
        const response = await doFetch(`${options.url.replace(/\/$/, '')}/sms/send`, { method: 'POST', body: form, signal: AbortSignal.timeout(10_000) });
        if (!response.ok) throw new GatewayError(`HTTP ${response.status}`, false);
        answer = (await response.json()) as SmsRuAnswer;
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        throw new GatewayError((error as Error).message, false);
      }
      // status_code 100 = taken; the request-level codes 200–299 are our mistakes (key, sender, balance).
      if (answer.status !== 'OK') throw new GatewayError(`${answer.status_code} ${answer.status_text ?? ''}`.trim(), answer.status_code !== 220);
      const one = answer.sms?.[to];
      if (!one || one.status !== 'OK') throw new GatewayError(`${one?.status_code ?? 'no answer'} ${one?.status_text ?? ''}`.trim(), true);
      return one.sms_id ?? '';
    },
  };
}

/**
 * A local stand-in for the SMS.ru HTTP API, answering in its format: wrong api_id → status ERROR 200, a
 * malformed number → per-number ERROR 202, otherwise OK 100 with an sms_id. GET /messages lists what it took.
 */
export interface EmulatedSms {
  id: string;
  to: string;
  text: string;
  at: string;
}

export async function startSmsRuEmulator(options: { apiId: string; port?: number; host?: string }): Promise<{ url: string; messages: EmulatedSms[]; close(): Promise<void>; server: Server }> {
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
