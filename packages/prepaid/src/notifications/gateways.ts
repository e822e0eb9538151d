import nodemailer from 'nodemailer';

import { GatewayError, type Gateway } from '@app/kernel';

/**
 * Gateway adapters: how a notice leaves the system. E-mail goes over SMTP (nodemailer); SMS over the
 * HTTP API of SMS.ru, whose adapter lives in the kernel (shared with the cabinet's one-time codes) and is
 * re-exported here. Both return the gateway's id for the message or throw a GatewayError saying whether a
 * retry can help.
 */
export { GatewayError, smsRuGateway, type Gateway, type Notice } from '@app/kernel';

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
