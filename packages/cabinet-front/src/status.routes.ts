import type { BackStatus } from '@app/cabinet-contracts';
import { backStatusTopic } from '@app/cabinet-contracts';
import type { HttpApp, ServiceRuntime } from '@app/kernel';
import { Type } from 'typebox';

/**
 * Whether the LAN side answers. The front never fails because the back is down: it says so, serves
 * what it has, and queues commands in its outbox until the back returns.
 */
export function registerStatusRoutes(app: HttpApp, runtime: ServiceRuntime) {
  app.get(
    '/api/status',
    {
      config: { access: 'public' },
      schema: {
        tags: ['status'],
        summary: 'Whether the back office and billing are reachable right now',
        response: { 200: Type.Object({ back: Type.Union([Type.Literal('online'), Type.Literal('offline')]), billing: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')]) }) },
      },
    },
    async () => {
      try {
        const status = await runtime.bus.request<BackStatus>(backStatusTopic, {}, { timeoutMs: 2000 });
        return { back: 'online' as const, billing: status.billing };
      } catch {
        return { back: 'offline' as const, billing: 'unknown' as const };
      }
    },
  );
}
