import { BillingUnavailableError, isBillingUnavailable } from './billing-adapter.js';

/**
 * For adapters over a billing database: which failures mean "billing is not there right now" (retry
 * later) as opposed to a bug. Connection errors from the network and the driver, the server shutting
 * down or starting, a failover, a serialization failure or deadlock, an embedded database closed.
 */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
// SQLSTATE: 08 connection exception, 57P01-57P03 shutdown / cannot connect now, 53 insufficient
// resources, 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
const SQLSTATE = /^(08...|57P0[1-3]|53...|40001|40P01|55P03)$/;
const MESSAGE = /connection terminated|connection refused|timeout exceeded when trying to connect|pool (has|is) (ended|closed)|cannot use a pool after calling end|pglite is closed|database is closed|driver has already been destroyed|client has encountered a connection error|server closed the connection/i;

export function isTransientBillingFailure(err: unknown): boolean {
  if (isBillingUnavailable(err)) return true;
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK.has(code) || SQLSTATE.test(code))) return true;
    if (typeof message === 'string' && MESSAGE.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Runs one billing call; a transient failure comes out as BillingUnavailableError, anything else as it was. */
export async function callBilling<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof BillingUnavailableError) throw err;
    if (isTransientBillingFailure(err)) throw new BillingUnavailableError(`Billing unavailable (${what})`, err);
    throw err;
  }
}
