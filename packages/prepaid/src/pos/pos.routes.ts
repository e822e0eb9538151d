import { AppError, typed, type HttpApp } from '@app/kernel';
import type { FastifyRequest } from 'fastify';

import type { Terminal, Terminals } from '../terminals/terminals.service.js';
import { AuthorizationResult, BalanceAnswer, BalanceQuery, CompletionBody, HoldBody, HoldParams, HoldResult, HoldView, OperationParams, PurchaseBody, RefundBody, ReversalBody, VoidBody } from './pos.schema.js';
import type { PosService } from './pos.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    terminal: Terminal | null;
  }
}

const terminalOnly = { access: { roles: ['terminal'] } } as const;
const security = [{ terminal: [] }];

/**
 * HTTP of the POS API: the terminal authenticates each request (HTTP Basic, terminal code and secret);
 * declines are answers (200, `status: declined` with a stable code), bad input is problem+json.
 */
/** `more`: further routes in this scope (offline mode), under the same terminal authentication. */
export async function registerPosRoutes(app: HttpApp, deps: { pos: PosService; terminals: Terminals; more?: (pos: HttpApp) => void; onDecline?: (code: string) => void }) {
  app.decorateRequest('terminal', null);
  // Declines are answers, not errors: counted here by their stable code (pos_declines_total) for the dashboard.
  const counted = <T>(answer: T): T => {
    const a = answer as { status?: string; code?: string };
    if (a.status === 'declined' && a.code) deps.onDecline?.(a.code);
    return answer;
  };
  await app.register(
    async (plugin) => {
      const pos = typed(plugin);
      pos.addHook('onRequest', async (request: FastifyRequest) => {
        const header = request.headers.authorization;
        if (!header?.startsWith('Basic ')) return;
        const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon <= 0) return;
        const terminal = await deps.terminals.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
        if (!terminal) throw new AppError('terminal_unauthenticated', 401, 'Unknown terminal or wrong secret');
        request.terminal = terminal;
        request.user = { id: terminal.id, loginKey: terminal.code, displayName: terminal.code, roles: ['terminal'] };
      });

      pos.get(
        '/balance',
        {
          config: terminalOnly,
          schema: { tags: ['pos'], summary: 'Balance inquiry by identifier: per-product balance, available amount, accepted here', security, querystring: BalanceQuery, response: { 200: BalanceAnswer } },
        },
        async (request) => deps.pos.balance(request.terminal!, request.query.kind, request.query.value),
      );

      pos.post(
        '/purchases',
        {
          config: terminalOnly,
          schema: {
            tags: ['pos'],
            summary: 'Authorize a purchase: basket split by product, all or nothing, idempotent by the terminal key',
            security,
            body: PurchaseBody,
            response: { 200: AuthorizationResult },
          },
        },
        async (request) => counted(await deps.pos.purchase(request.terminal!, request.body)),
      );

      pos.post(
        '/purchases/:operationId/reversal',
        {
          config: terminalOnly,
          schema: { tags: ['pos'], summary: 'Cancel a whole purchase of this merchant', security, params: OperationParams, body: ReversalBody, response: { 200: AuthorizationResult } },
        },
        async (request) => deps.pos.reverse(request.terminal!, request.params.operationId, request.body.idempotencyKey),
      );

      pos.post(
        '/purchases/:operationId/refund',
        {
          config: terminalOnly,
          schema: {
            tags: ['pos'],
            summary: 'Give back all or part of a purchase (per product), never more than was taken',
            security,
            params: OperationParams,
            body: RefundBody,
            response: { 200: AuthorizationResult },
          },
        },
        async (request) => deps.pos.refund(request.terminal!, request.params.operationId, request.body.idempotencyKey, request.body.items),
      );

      // Two-phase purchases: hold (pre-authorize), then complete (all or part) or void; unclaimed holds expire.
      pos.post(
        '/holds',
        {
          config: terminalOnly,
          schema: {
            tags: ['pos'],
            summary: 'Hold an amount of one product (pre-authorization): counts against balance and limits until completed, voided or expired',
            security,
            body: HoldBody,
            response: { 200: HoldResult },
          },
        },
        async (request) => counted(await deps.pos.hold(request.terminal!, request.body)),
      );
      pos.get(
        '/holds/:holdId',
        { config: terminalOnly, schema: { tags: ['pos'], summary: "A hold of this merchant: its status and what became of it", security, params: HoldParams, response: { 200: HoldView } } },
        async (request) => deps.pos.holdView(request.terminal!, request.params.holdId),
      );
      pos.post(
        '/holds/:holdId/completion',
        {
          config: terminalOnly,
          schema: {
            tags: ['pos'],
            summary: 'Complete a hold with the final amount (at most the held one): the rest goes back, the amount becomes a purchase. Only one completion wins',
            security,
            params: HoldParams,
            body: CompletionBody,
            response: { 200: HoldResult },
          },
        },
        async (request) => deps.pos.completeHold(request.terminal!, request.params.holdId, request.body.idempotencyKey, request.body.amount),
      );
      pos.post(
        '/holds/:holdId/void',
        { config: terminalOnly, schema: { tags: ['pos'], summary: 'Void a hold: the whole amount back to the wallet', security, params: HoldParams, body: VoidBody, response: { 200: HoldResult } } },
        async (request) => deps.pos.voidHold(request.terminal!, request.params.holdId, request.body.idempotencyKey),
      );
      deps.more?.(pos);
    },
    { prefix: '/api/pos/v1' },
  );
}

