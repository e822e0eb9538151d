import { registerSpa, type HttpApp } from '@app/kernel';

/**
 * The consumer cabinet SPA (packages/web/src/cabinet, built into packages/web/dist/cabinet) at `/`,
 * beside the API: the kernel's registerSpa never answers /api, /auth, /docs, /openapi.json or the
 * probes with the page (an unknown path there stays a 404 problem).
 *
 * The acquiring bank sends the consumer back to the SPA's page of the order, /money/payments/{id}
 * (SuccessURL and FailURL, payments.service.ts), which asks /api/payments/orders/{id}/return as JSON. A
 * browser that still arrives at that API route by navigation (it asks for text/html: an order made
 * with the route as its return address) is sent on to the same page, so it shows a page, not a JSON
 * document, and the API route keeps answering JSON to everyone else.
 */
export interface CabinetWebOptions {
  /** The built SPA (default packages/web/dist/cabinet); browser tests pass a fresh build. */
  root?: string;
}

const RETURN = /^\/api\/payments\/orders\/([0-9a-fA-F-]{36})\/return(?:\?.*)?$/;

export function registerCabinetWeb(app: HttpApp, options: CabinetWebOptions = {}) {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') return;
    const match = RETURN.exec(request.url);
    if (!match || !wantsPage(request.headers.accept, request.headers['sec-fetch-mode'])) return;
    return reply.redirect(`/money/payments/${match[1]}`, 303);
  });
  registerSpa(app, { name: 'cabinet', root: options.root });
}

/** A top-level navigation (the bank's redirect): the browser asks for HTML; fetch/XHR ask for JSON or anything. */
function wantsPage(accept: string | undefined, fetchMode: string | string[] | undefined) {
  if (fetchMode === 'navigate') return true;
  return !!accept && accept.includes('text/html') && !accept.includes('application/json');
}
