import type { Bus } from '@app/kernel';

/**
 * Test helper: on RabbitMQ a subscription made before the connection is up binds its queue later, so a
 * message published meanwhile would find no queue. Tests wait for the connection before subscribing.
 */
export async function connected(bus: Bus): Promise<void> {
  const withConnect = bus as Bus & { waitForConnect?: (timeoutMs?: number) => Promise<void> };
  await withConnect.waitForConnect?.();
}
