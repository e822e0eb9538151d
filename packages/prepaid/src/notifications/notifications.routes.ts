import { auditContext, notFound, recordAudit, unprocessable, type Database, type HttpApp } from '@app/kernel';
import type { NotificationsDb } from './tables.js';
import * as S from './notifications.schema.js';

/**
 * A client's SMS/e-mail subscriptions (purchases, low balance) as operators set them, and the notices
 * sent to that client. A channel the client has no address for cannot be switched on.
 */
const operator = { access: { roles: ['operator'] } } as const;
const tags = ['notifications'];

export function registerNotificationRoutes(app: HttpApp, deps: { database: Database<NotificationsDb> }) {
  const db = deps.database.db;

  app.get('/api/staff/clients/:id/notifications', { config: operator, schema: { tags, summary: "A client's notification subscriptions, one per channel", params: S.ClientParams, response: { 200: S.SubscriptionList } } }, async (request) => {
    const rows = await db.selectFrom('notification_subscriptions').selectAll().where('client_id', '=', request.params.id).execute();
    return {
      items: (['sms', 'email'] as const).map((channel) => {
        const r = rows.find((x) => x.channel === channel);
        return { channel, purchases: r?.purchases ?? false, lowBalance: r?.low_balance ?? false, lowBalanceThreshold: Number(r?.low_balance_threshold ?? 10_000n) };
      }),
    };
  });

  app.put(
    '/api/staff/clients/:id/notifications/:channel',
    { config: operator, schema: { tags, summary: 'Subscribe a client to (or unsubscribe from) purchase and low-balance notices on one channel', params: S.ChannelParams, body: S.SubscriptionBody, response: { 200: S.Subscription } } },
    async (request) => {
      const { id, channel } = request.params;
      const b = request.body;
      const client = await db.selectFrom('clients').select(['phone', 'email']).where('id', '=', id).executeTakeFirst();
      if (!client) throw notFound('client_not_found', 'No such client');
      if ((b.purchases || b.lowBalance) && !(channel === 'sms' ? client.phone : client.email)) {
        throw unprocessable('no_address', channel === 'sms' ? 'The client has no phone number' : 'The client has no e-mail address', { field: channel === 'sms' ? 'phone' : 'email' });
      }
      await db
        .insertInto('notification_subscriptions')
        .values({ client_id: id, channel, purchases: b.purchases, low_balance: b.lowBalance, low_balance_threshold: BigInt(b.lowBalanceThreshold) })
        .onConflict((oc) => oc.columns(['client_id', 'channel']).doUpdateSet({ purchases: b.purchases, low_balance: b.lowBalance, low_balance_threshold: BigInt(b.lowBalanceThreshold), updated_at: new Date() }))
        .execute();
      await recordAudit(db, { ...auditContext(request), action: 'notifications.subscribe', targetType: 'client', targetId: id, details: { channel, ...b } });
      return { channel, ...b };
    },
  );

  app.get('/api/staff/clients/:id/notices', { config: operator, schema: { tags, summary: 'Notices sent (or queued) to a client, newest first', params: S.ClientParams, response: { 200: S.OutboxList } } }, async (request) => {
    const rows = await db.selectFrom('notification_outbox').selectAll().where('client_id', '=', request.params.id).orderBy('id', 'desc').limit(50).execute();
    return {
      items: rows.map((r) => ({
        id: String(r.id),
        kind: r.kind,
        channel: r.channel,
        address: r.address,
        body: r.body,
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at.toISOString(),
        sentAt: r.sent_at?.toISOString() ?? null,
      })),
    };
  });
}
