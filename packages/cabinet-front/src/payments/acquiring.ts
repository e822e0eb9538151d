import { AppError } from '@app/kernel';
import { hasValidToken, outcomeOf, signed, type Outcome, type TbankAnswer, type TbankNotification } from './tbank-protocol.js';

/**
 * The door to the acquiring bank. The payment service speaks only this; `TbankAcquiring` is T-Bank's API v2
 * (tbank-protocol.ts), which the emulator in ./emulator also speaks, so tests and `npm start` run the real
 * client code against a local bank.
 */
export interface AcquiringAdapter {
  /** Short name stored with each order and used in billing's external reference (`tbank:<payment id>`). */
  readonly provider: string;
  /** Registers a payment for the order; the consumer is sent to `paymentUrl`. Same orderId again → same payment. */
  init(order: { orderId: string; amount: bigint; description: string; successUrl: string; failUrl: string; notificationUrl: string }): Promise<{ paymentId: string; paymentUrl: string; status: string }>;
  /** The bank's current state of a payment (reconciliation and the consumer's return). */
  state(paymentId: string): Promise<ProviderState>;
  /** A notification the bank POSTed, signature checked; throws `notification_signature_invalid` otherwise. */
  notification(body: unknown): ProviderState & { pan?: string };
}

export interface ProviderState {
  paymentId: string;
  orderId: string;
  amount: bigint;
  status: string;
  outcome: Outcome;
  errorCode?: string;
  message?: string;
}

export interface TbankSettings {
  /** https://securepay.tinkoff.ru/v2 in production; the emulator's /v2 locally. */
  url: string;
  terminalKey: string;
  password: string;
  timeoutMs?: number;
}

export class TbankAcquiring implements AcquiringAdapter {
  readonly provider = 'tbank';
  constructor(private readonly settings: TbankSettings) {}

  async init(order: Parameters<AcquiringAdapter['init']>[0]) {
    // Amount is an integer number of kopecks in the protocol; a bigint beyond 2^53 can never be a card payment.
    if (order.amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new AppError('amount_too_large', 422, 'The amount is too large for a card payment');
    const answer = await this.call('Init', {
      TerminalKey: this.settings.terminalKey,
      Amount: Number(order.amount),
      OrderId: order.orderId,
      Description: order.description.slice(0, 140),
      PayType: 'O',
      NotificationURL: order.notificationUrl,
      SuccessURL: order.successUrl,
      FailURL: order.failUrl,
    });
    if (!answer.PaymentId || !answer.PaymentURL) throw new AppError('acquiring_bad_answer', 502, 'The bank did not give a payment page');
    return { paymentId: String(answer.PaymentId), paymentUrl: answer.PaymentURL, status: answer.Status ?? 'NEW' };
  }

  async state(paymentId: string): Promise<ProviderState> {
    const answer = await this.call('GetState', { TerminalKey: this.settings.terminalKey, PaymentId: paymentId });
    return this.toState({ ...answer, PaymentId: answer.PaymentId ?? paymentId });
  }

  notification(body: unknown): ProviderState & { pan?: string } {
    const n = body as Partial<TbankNotification> | null;
    if (!n || typeof n !== 'object' || Array.isArray(n)) throw new AppError('notification_invalid', 400, 'Not a notification');
    if (!hasValidToken(n as Record<string, unknown>, this.settings.password) || n.TerminalKey !== this.settings.terminalKey) {
      throw new AppError('notification_signature_invalid', 403, 'The notification is not signed by our terminal');
    }
    if (typeof n.OrderId !== 'string' || n.PaymentId === undefined || typeof n.Status !== 'string' || !Number.isSafeInteger(n.Amount)) {
      throw new AppError('notification_invalid', 400, 'The notification lacks OrderId, PaymentId, Status or Amount');
    }
    return { ...this.toState(n as TbankAnswer), ...(typeof n.Pan === 'string' ? { pan: n.Pan } : {}) };
  }

  private toState(a: TbankAnswer): ProviderState {
    return {
      paymentId: String(a.PaymentId),
      orderId: a.OrderId ?? '',
      amount: BigInt(a.Amount ?? 0),
      status: a.Status ?? 'UNKNOWN',
      outcome: outcomeOf(a.Status ?? ''),
      ...(a.ErrorCode && a.ErrorCode !== '0' ? { errorCode: a.ErrorCode } : {}),
      ...(a.Message ? { message: a.Message } : {}),
    };
  }

  private async call(method: string, fields: Record<string, unknown>): Promise<TbankAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.url.replace(/\/$/, '')}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(signed(fields, this.settings.password)),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new AppError('acquiring_unavailable', 503, `The bank does not answer (${(error as Error).message}); try again later`);
    }
    if (response.status >= 500) throw new AppError('acquiring_unavailable', 503, `The bank answered ${response.status}; try again later`);
    const answer = (await response.json().catch(() => null)) as TbankAnswer | null;
    if (!answer || typeof answer !== 'object') throw new AppError('acquiring_bad_answer', 502, 'The bank answered something that is not JSON');
    if (!answer.Success || answer.ErrorCode !== '0') {
      throw new AppError('acquiring_refused', 502, `The bank refused ${method}: ${answer.Message ?? ''} ${answer.Details ?? ''}`.trim(), { providerCode: answer.ErrorCode });
    }
    return answer;
  }
}
