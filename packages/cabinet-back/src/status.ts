import type { ServiceRuntime, Subscription } from '@app/kernel';
import { backStatusTopic, type BackStatus } from '@app/cabinet-contracts';

export function answerStatusRequests(runtime: ServiceRuntime): Promise<Subscription> {
  return runtime.bus.respond<unknown, BackStatus>(backStatusTopic, async () => {
    // Billing is reached through the BillingAdapter (issue 4); until then the back reports its own database.
    const billing = await runtime.database.ping().then(
      () => 'online' as const,
      () => 'offline' as const,
    );
    return { service: 'cabinet-back', billing, at: new Date().toISOString() };
  });
}
