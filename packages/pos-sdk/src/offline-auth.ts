import type { SnapshotState } from './snapshot.js';
import type { BasketLine, OfflineLimits, WalletBalance } from './wire.js';

/**
 * The offline decision, EMV terminal risk management style (pure, no I/O): stop-list, the identifier and
 * its wallets from the signed snapshot, and per wallet the floor limit of one purchase, the cap on the
 * offline total and on the count of consecutive offline purchases since the server last answered for the
 * account, and the balance the snapshot gave minus the offline purchases it does not include yet.
 */
export type OfflineDeclineCode =
  | 'snapshot_missing'
  | 'snapshot_stale'
  | 'terminal_not_allowed'
  | 'identifier_blocked'
  | 'unknown_identifier'
  | 'product_not_accepted'
  | 'wallet_not_found'
  | 'offline_not_allowed'
  | 'offline_limit_exceeded'
  | 'insufficient_funds';

export type OfflineDecision =
  | { status: 'approved'; account: string; balances: WalletBalance[] }
  | { status: 'declined'; code: OfflineDeclineCode; product?: string; limit?: 'floor' | 'offline_total' | 'offline_count'; available?: number };

/** What the terminal's own journal says about one wallet. */
export interface LocalUse {
  /** Offline purchases since the server last answered for this account: count and total. */
  sinceOnlineCount: number;
  sinceOnlineTotal: number;
  /** Offline spending the snapshot's balance does not include (not uploaded, or posted after it was built). */
  unreflected: number;
}

export function decideOffline(input: {
  snapshot: SnapshotState | null;
  terminalCode: string;
  key: string;
  basket: BasketLine[];
  now: Date;
  maxSnapshotAgeMs: number;
  use: (account: string, product: string) => LocalUse;
}): OfflineDecision {
  const s = input.snapshot;
  if (!s || s.version === 0) return { status: 'declined', code: 'snapshot_missing' };
  if (input.now.getTime() - s.builtAt.getTime() > input.maxSnapshotAgeMs) return { status: 'declined', code: 'snapshot_stale' };
  const accepted = s.acceptedBy(input.terminalCode);
  if (!accepted) return { status: 'declined', code: 'terminal_not_allowed' };
  if (s.stopList.has(input.key)) return { status: 'declined', code: 'identifier_blocked' };
  const account = s.identifiers.get(input.key);
  if (account === undefined) return { status: 'declined', code: 'unknown_identifier' };
  const wallets = s.accounts.get(account) ?? [];
  const balances: WalletBalance[] = [];
  for (const line of input.basket) {
    if (!accepted.has(line.product)) return { status: 'declined', code: 'product_not_accepted', product: line.product };
    const wallet = wallets.find((w) => w[0] === line.product);
    if (!wallet) return { status: 'declined', code: 'wallet_not_found', product: line.product };
    const [floor, total, count]: OfflineLimits = wallet[3] ?? s.products.get(line.product)?.offline ?? [null, null, null];
    if (floor === null) return { status: 'declined', code: 'offline_not_allowed', product: line.product };
    if (line.amount > floor) return { status: 'declined', code: 'offline_limit_exceeded', product: line.product, limit: 'floor' };
    const use = input.use(account, line.product);
    if (count !== null && use.sinceOnlineCount + 1 > count) return { status: 'declined', code: 'offline_limit_exceeded', product: line.product, limit: 'offline_count' };
    if (total !== null && use.sinceOnlineTotal + line.amount > total) return { status: 'declined', code: 'offline_limit_exceeded', product: line.product, limit: 'offline_total' };
    const available = wallet[2] - use.unreflected;
    if (line.amount > available) return { status: 'declined', code: 'insufficient_funds', product: line.product, available: Math.max(0, available) };
    balances.push({ product: line.product, balance: wallet[1] - use.unreflected - line.amount });
  }
  return { status: 'approved', account, balances };
}
