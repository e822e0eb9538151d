import { api, call } from '../api/client.js';

/**
 * Starts a card payment and sends the browser to the bank's payment page. The idempotency key is
 * made once per intent: a double click, or a retry after a lost answer, gets the same order.
 */
export async function startPayment(input: { contractId: string; invoiceIds?: string[]; amount?: string }, key: string) {
  const order = await call(api.POST('/api/payments/orders', { body: { contractId: input.contractId, ...(input.invoiceIds?.length ? { invoiceIds: input.invoiceIds } : {}), ...(input.amount ? { amount: input.amount } : {}), idempotencyKey: key } }));
  if (order.paymentUrl) window.location.assign(order.paymentUrl);
  return order;
}

/** A v4 UUID; randomUUID exists only in secure contexts (HTTPS, localhost), getRandomValues everywhere. */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
