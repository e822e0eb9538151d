import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

/** name → a check that throws when the dependency cannot serve (db.ping, bus connected, cache.ping). */
export type ReadinessChecks = Record<string, () => Promise<void> | void>;

const CHECK_TIMEOUT_MS = 2000;

/**
 * /health answers while the process runs (liveness: restart me if not); /ready only when every
 * dependency answers (readiness: send me traffic) — a load balancer takes an instance out while its
 * database is unreachable instead of letting it fail requests.
 */
export function registerProbes(app: FastifyInstance, checks: ReadinessChecks) {
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { tags: ['ops'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['ops'],
        response: {
          200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(Promise.resolve(check()), CHECK_TIMEOUT_MS);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `failed: ${(error as Error).message}`] as const;
          }
        }),
      );
      const ready = results.every(([, result]) => result === 'ok');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
