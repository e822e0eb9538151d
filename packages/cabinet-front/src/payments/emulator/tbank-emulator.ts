import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hasValidToken, signed, type TbankAnswer } from '../tbank-protocol.js';

/**
 * A local T-Bank acquiring (API v2 subset: Init, GetState, the payment page, notifications) for
 * `npm start` and the tests. It checks every request's Token as the bank does, keeps payments in memory,
 * shows a payment page with "Pay" and "Decline", and on a choice POSTs a signed notification to the
 * order's NotificationURL (repeating it until the answer is `OK`, as the bank does), then redirects the
 * browser to SuccessURL or FailURL.
 *
 * Emulator choices (the real bank's exact behaviour here was not verified): Init with an OrderId it has
 * seen answers the same payment when the amount matches and refuses (ErrorCode "8") when it differs; unknown
 * PaymentId → ErrorCode "7"; a bad Token → ErrorCode "204".
 */
export interface EmulatorPayment {
  paymentId: string;
  orderId: string;
  amount: number;
  status: string;
  description: string;
  notificationUrl?: string;
  successUrl?: string;
  failUrl?: string;
}

export interface TbankEmulatorOptions {
  terminalKey?: string;
  password?: string;
  port?: number;
  host?: string;
  /**
   * When the notification goes out relative to the browser's redirect: `before` (default: sent and
   * acknowledged first), `after` (redirect first, notification a moment later), `none` (the test sends it).
   */
  notify?: 'before' | 'after' | 'none';
  /** Attempts per notification until `OK` (default 5, 200 ms apart). */
  notifyAttempts?: number;
}

export interface TbankEmulator {
  url: string;
  /** The API base to configure the cabinet with: `${url}/v2`. */
  apiUrl: string;
  terminalKey: string;
  password: string;
  payments: Map<string, EmulatorPayment>;
  /** Every notification delivery attempt: payment, status, the answer's HTTP status and body. */
  deliveries: Array<{ paymentId: string; status: string; httpStatus: number; body: string }>;
  options: Required<Pick<TbankEmulatorOptions, 'notify'>>;
  /** Completes a payment as the payer would on the page (without a browser). Returns where the browser would go. */
  complete(paymentId: string, action: 'pay' | 'decline'): Promise<string | undefined>;
  /** The signed notification of a payment's current state (tests resend or forge it). */
  notificationOf(paymentId: string): Record<string, unknown>;
  /** Delivers the current state's notification once more (a duplicate, as banks do). */
  renotify(paymentId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTbankEmulator(options: TbankEmulatorOptions = {}): Promise<TbankEmulator> {
  const terminalKey = options.terminalKey ?? 'CabinetDemoTerminal';
  const password = options.password ?? 'emulator-terminal-password';
  const payments = new Map<string, EmulatorPayment>();
  const byOrder = new Map<string, string>();
  const deliveries: TbankEmulator['deliveries'] = [];
  const settings = { notify: options.notify ?? 'before' };
  const attempts = options.notifyAttempts ?? 5;
  let base = '';

  const answer = (fields: Record<string, unknown>): TbankAnswer => ({ Success: true, ErrorCode: '0', TerminalKey: terminalKey, ...fields });
  const refuse = (code: string, message: string): TbankAnswer => ({ Success: false, ErrorCode: code, Message: message, TerminalKey: terminalKey });

  const notificationOf = (paymentId: string) => {
    const p = payments.get(paymentId)!;
    const fields: Record<string, unknown> = {
      TerminalKey: terminalKey,
      OrderId: p.orderId,
      Success: p.status === 'CONFIRMED',
      Status: p.status,
      PaymentId: Number(p.paymentId),
      ErrorCode: p.status === 'REJECTED' ? '1051' : '0',
      Amount: p.amount,
      CardId: 100500,
      Pan: '430000******0777',
      ExpDate: '1230',
    };
    return signed(fields, password);
  };

  const deliver = async (paymentId: string) => {
    const p = payments.get(paymentId)!;
    if (!p.notificationUrl) return;
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await fetch(p.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(notificationOf(paymentId)), signal: AbortSignal.timeout(5_000) });
        const body = await res.text();
        deliveries.push({ paymentId, status: p.status, httpStatus: res.status, body });
        if (res.status === 200 && body.trim() === 'OK') return;
      } catch (error) {
        deliveries.push({ paymentId, status: p.status, httpStatus: 0, body: (error as Error).message });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const complete = async (paymentId: string, action: 'pay' | 'decline') => {
    const p = payments.get(paymentId);
    if (!p) return undefined;
    // A payment decides once; pressing again shows the same outcome.
    if (['NEW', 'FORM_SHOWED'].includes(p.status)) p.status = action === 'pay' ? 'CONFIRMED' : 'REJECTED';
    const target = p.status === 'CONFIRMED' ? p.successUrl : p.failUrl;
    if (settings.notify === 'before') await deliver(paymentId);
    else if (settings.notify === 'after') setTimeout(() => void deliver(paymentId), 300).unref();
    return target;
  };

  const api: Record<string, (body: Record<string, unknown>) => TbankAnswer> = {
    Init: (b) => {
      if (!Number.isSafeInteger(b.Amount) || (b.Amount as number) < 1) return refuse('3', 'Amount must be a positive integer of kopecks');
      if (typeof b.OrderId !== 'string' || !b.OrderId || b.OrderId.length > 50) return refuse('3', 'OrderId is required (up to 50 characters)');
      const seen = byOrder.get(b.OrderId);
      if (seen) {
        const p = payments.get(seen)!;
        if (p.amount !== b.Amount) return refuse('8', 'An order with this OrderId exists with another amount');
        return answer({ Status: p.status, PaymentId: p.paymentId, OrderId: p.orderId, Amount: p.amount, PaymentURL: `${base}/pay/${p.paymentId}` });
      }
      const paymentId = String(randomInt(10_000_000, 2_000_000_000));
      const p: EmulatorPayment = {
        paymentId,
        orderId: b.OrderId,
        amount: b.Amount as number,
        status: 'NEW',
        description: typeof b.Description === 'string' ? b.Description : '',
        ...(typeof b.NotificationURL === 'string' ? { notificationUrl: b.NotificationURL } : {}),
        ...(typeof b.SuccessURL === 'string' ? { successUrl: b.SuccessURL } : {}),
        ...(typeof b.FailURL === 'string' ? { failUrl: b.FailURL } : {}),
      };
      payments.set(paymentId, p);
      byOrder.set(p.orderId, paymentId);
      return answer({ Status: 'NEW', PaymentId: paymentId, OrderId: p.orderId, Amount: p.amount, PaymentURL: `${base}/pay/${paymentId}` });
    },
    GetState: (b) => {
      const p = payments.get(String(b.PaymentId));
      if (!p) return refuse('7', 'No such payment');
      return answer({ Status: p.status, PaymentId: p.paymentId, OrderId: p.orderId, Amount: p.amount });
    },
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => send(res, 500, 'text/plain', error.message));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const method = /^\/v2\/([A-Za-z]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'POST' && method) {
      const body = await readJson(req);
      if (!api[method]) return send(res, 404, 'application/json', JSON.stringify(refuse('9999', `Unknown method ${method}`)));
      if (!body || body.TerminalKey !== terminalKey) return send(res, 200, 'application/json', JSON.stringify(refuse('202', 'Unknown terminal')));
      if (!hasValidToken(body, password)) return send(res, 200, 'application/json', JSON.stringify(refuse('204', 'Invalid token signature')));
      return send(res, 200, 'application/json', JSON.stringify(api[method](body)));
    }
    const page = /^\/pay\/([0-9]+)$/.exec(url.pathname)?.[1];
    const p = page ? payments.get(page) : undefined;
    if (page && !p) return send(res, 404, 'text/html; charset=utf-8', '<h1>Платёж не найден</h1>');
    if (p && req.method === 'GET') {
      if (p.status === 'NEW') p.status = 'FORM_SHOWED';
      return send(res, 200, 'text/html; charset=utf-8', paymentPage(p));
    }
    if (p && req.method === 'POST') {
      const form = new URLSearchParams(await readText(req));
      const action = form.get('action') === 'pay' ? 'pay' : 'decline';
      const target = await complete(p.paymentId, action);
      if (!target) return send(res, 200, 'text/html; charset=utf-8', `<p>${p.status === 'CONFIRMED' ? 'Оплачено' : 'Отклонено'}</p>`);
      res.writeHead(303, { location: target }).end();
      return;
    }
    send(res, 404, 'text/plain', 'not found');
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  base = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  return {
    url: base,
    apiUrl: `${base}/v2`,
    terminalKey,
    password,
    payments,
    deliveries,
    options: settings,
    complete,
    notificationOf,
    renotify: (paymentId) => deliver(paymentId),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function paymentPage(p: EmulatorPayment): string {
  const rub = `${Math.floor(p.amount / 100)},${String(p.amount % 100).padStart(2, '0')} ₽`;
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const decided = !['NEW', 'FORM_SHOWED'].includes(p.status);
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Оплата картой — эмулятор T-Bank</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>Оплата картой</h1><p>Эмулятор интернет-эквайринга (T-Bank API v2). Настоящие карты не нужны.</p>
<p>${escape(p.description)}</p><p>Заказ ${escape(p.orderId)}</p><p style="font-size:1.6rem"><b>${rub}</b></p>
${decided ? `<p>Статус: ${escape(p.status)}</p>` : `<form method="post"><p><label>Карта <input name="pan" value="4300 0000 0000 0777" readonly></label></p>
<button name="action" value="pay">Оплатить</button> <button name="action" value="decline">Отказаться</button></form>`}
</body></html>`;
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { 'content-type': type }).end(body);
}

async function readText(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 64 * 1024) throw new Error('body too large');
  }
  return text;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  try {
    const value = JSON.parse(await readText(req)) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
