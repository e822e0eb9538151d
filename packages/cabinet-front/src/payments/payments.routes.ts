import { AppError, clientAddress, type HttpApp } from '@app/kernel';
import type { Payments } from './payments.service.js';
import type { SourceNetworks } from './source-networks.js';
import * as S from './payments.schema.js';

const consumer = { access: { roles: ['consumer'] } } as const;
const tags = ['payments'];

/** Card payments: create (needs the `pay` right), list, one order, the return from the bank, the bank's notifications. */
export function registerPaymentRoutes(app: HttpApp, deps: { payments: Payments; notifyNetworks: SourceNetworks }) {
  const { payments, notifyNetworks } = deps;
  app.post(
    '/api/payments/orders',
    {
      config: consumer,
      schema: {
        tags,
        summary: 'Pay the debt (or part of it) or chosen invoices by card: 201 with paymentUrl to send the consumer to; the same idempotencyKey again answers the same order (200)',
        body: S.CreatePaymentBody,
        response: { 200: S.PaymentOrder, 201: S.PaymentOrder },
      },
    },
    async (request, reply) => {
      const result = await payments.create(request.user!.id, request.body);
      return reply.status(result.created ? 201 : 200).send(result.order);
    },
  );
  app.get('/api/payments/orders', { config: consumer, schema: { tags, summary: 'Card payment orders, newest first', querystring: S.OrdersQuery, response: { 200: S.OrdersPage } } }, async (request) =>
    payments.list(request.user!.id, request.query),
  );
  app.get('/api/payments/orders/:orderId', { config: consumer, schema: { tags, summary: 'A card payment order and its status (the page polls it)', params: S.OrderParams, response: { 200: S.PaymentOrder } } }, async (request) =>
    payments.get(request.user!.id, request.params.orderId),
  );
  app.get(
    '/api/payments/orders/:orderId/return',
    { config: consumer, schema: { tags, summary: 'Where the bank sends the consumer back (SuccessURL/FailURL): the state is asked of the bank, not taken from the URL', params: S.OrderParams, response: { 200: S.PaymentOrder } } },
    async (request) => payments.returned(request.user!.id, request.params.orderId),
  );
  app.post(
    '/api/payments/notifications/:provider',
    {
      // The bank calls it: no session, no CSRF token; trust comes from the source network and the message's signature (adapter).
      config: { access: 'public', csrf: false },
      // Before the body is even parsed: a stranger's request costs nothing and changes nothing.
      onRequest: async (request) => {
        if (!notifyNetworks.allows(clientAddress(request))) {
          request.log.warn({ ip: clientAddress(request) }, 'acquiring notification from outside the configured networks refused');
          throw new AppError('notification_source_forbidden', 403, 'Notifications are accepted only from the bank’s networks');
        }
      },
      schema: { tags, summary: 'Acquiring notification (T-Bank: signed with Token); answers OK once applied', params: S.ProviderParams, body: S.NotificationBody },
    },
    async (request, reply) => {
      await payments.notified(request.params.provider, request.body);
      return reply.type('text/plain').send('OK');
    },
  );
}
