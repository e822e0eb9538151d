import nodemailer from 'nodemailer';

/**
 * Gateway adapters: how a notice leaves the system. E-mail goes over SMTP (nodemailer), SMS over the
 * HTTP API of SMS.ru (POST /sms/send, form fields api_id, to, msg, json=1; the answer's per-number
 * status says whether that message was taken). Both return the gateway's id for the message or throw
 * a GatewayError saying whether a retry can help.
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

export function smtpGateway(options: { url: string; from: string }): Gateway {
  const transport = nodemailer.createTransport(options.url);
  return {
    async send(notice) {
      try {
        const info = await transport.sendMail({ from: options.from, to: notice.address, subject: notice.subject, text: notice.body });
        if (info.rejected.length) throw new GatewayError(`rejected: ${info.rejected.join(', ')}`, true);
        return info.messageId;
      } catch (error) {
        if (error instanceof GatewayError) throw error;
        const code = (error as { responseCode?: number }).responseCode;
        // 5xx from the server is a final no (bad address); anything else (connection, 4xx) may pass later.
        throw new GatewayError((error as Error).message, code !== undefined && code >= 500);
      }
    },
  };
}

interface SmsRuAnswer {
  status: 'OK' | 'ERROR';
  status_code: number;
  status_text?: string;
  sms?: Record<string, { status: 'OK' | 'ERROR'; status_code: number; sms_id?: string; status_text?: string }>;
}

/** SMS.ru: https://sms.ru/api/send — `url` is the API root (the emulator's in tests and on a laptop). */
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
