import type { ServiceRuntime, Subscription } from '@app/kernel';
import { backStatusTopic, type BackStatus } from '@app/cabinet-contracts';
import type { BillingAdapter } from './billing/billing-adapter.js';

/**
 * Answers the front's "are you and billing there?" with a real ping of billing through the adapter
 * (bounded, so a hanging billing answers `offline` well within the front's own timeout).
 */
export function answerStatusRequests(runtime: ServiceRuntime, adapter?: BillingAdapter, options: { pingTimeoutMs?: number } = {}): Promise<Subscription> {
  return runtime.bus.respond<unknown, BackStatus>(backStatusTopic, async () => {
    // Without an adapter (a composition root not wired to billing yet) the back reports its own database, as before.
    const billing = adapter
      ? await pingWithin(adapter, options.pingTimeoutMs ?? 1_500)
      : await runtime.database.ping().then(
          () => 'online' as const,
          () => 'offline' as const,
        );
    return { service: 'cabinet-back', billing, at: new Date().toISOString() };
  });
}

export async function pingWithin(adapter: BillingAdapter, timeoutMs: number): Promise<'online' | 'offline'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'offline'>((resolve) => {
    timer = setTimeout(() => resolve('offline'), timeoutMs);
  });
  try {
    return await Promise.race([
      adapter.ping().then(
        () => 'online' as const,
        () => 'offline' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
