import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * `app.close()` waits for handlers still running. Fastify waits for open connections only: a client
 * that gives up (a load balancer's timeout, a phone losing signal) closes its connection while the
 * handler goes on, the server reports closed, and the service then closes its database under a
 * handler that is mid-transaction. The transaction rolls back (nothing half-done), but the answer is an
 * error in the log for work that could have finished; so close waits, up to graceMs.
 */
const finished = Symbol('handlerFinished');
type Tracked = FastifyRequest & { [finished]?: boolean };

// Takes any Fastify instance (not HttpApp, which app.ts defines and which calls this): no import cycle.
export function drainHandlersOnClose(app: FastifyInstance, graceMs = 10_000) {
  let running = 0;
  const waiting: Array<() => void> = [];
  const finish = (request: Tracked) => {
    if (request[finished]) return;
    request[finished] = true;
    running -= 1;
    if (running === 0) waiting.splice(0).forEach((resolve) => resolve());
  };
  app.addHook('onRequest', async (request: Tracked) => {
    request[finished] = false;
    running += 1;
  });
  // onSend runs when the handler (or the error handler) has its answer, also for a client already gone;
  // onResponse covers a reply sent without a payload hook.
  app.addHook('onSend', async (request, _reply, payload) => {
    finish(request);
    return payload;
  });
  app.addHook('onResponse', async (request) => finish(request));
  app.addHook('onClose', async () => {
    if (running === 0) return;
    const timeout = new AbortController();
    await Promise.race([new Promise<void>((resolve) => waiting.push(resolve)), delay(graceMs, undefined, { signal: timeout.signal }).catch(() => {})]);
    timeout.abort();
  });
}
