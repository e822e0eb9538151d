import type { LedgerResult } from './ledger.service.js';

/** A ledger result as the HTTP APIs answer it: amounts as JSON integers, the decline flattened with its code. */
export type LedgerAnswer =
  | { status: 'approved'; operationId: string; amount: number; balances: Array<{ product: string; balance: number }> }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  | { status: 'declined'; code: any; product?: string; limit?: string; available?: number; remaining?: number };

export function toAnswer(result: LedgerResult): LedgerAnswer {
  if (result.status === 'approved') {
    return {
      status: 'approved',
      operationId: result.operationId,
      amount: Number(result.amount),
      balances: result.balances.map((b) => ({ product: b.product, balance: Number(b.balance) })),
    };
  }
  const { code, ...rest } = result.decline as { code: string } & Record<string, unknown>;
  const extra = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
  return { status: 'declined', code, ...extra };
}
