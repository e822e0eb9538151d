import type { Database, HttpApp } from '@app/kernel';
import { Type } from 'typebox';
import type { CabinetBackDb } from '../tables.js';

/** Commands from the front that could never apply (see command-consumer.ts), for supervisors to look into. */
export function registerDeadCommandRoutes(app: HttpApp, deps: { database: Database<CabinetBackDb> }) {
  app.get(
    '/api/back-office/dead-commands',
    {
      config: { access: { roles: ['supervisor'] } },
      schema: {
        tags: ['billing'],
        summary: 'Commands from the cabinet that could never apply, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const rows = await deps.database.db.selectFrom('dead_commands').selectAll().orderBy('received_at', 'desc').limit(request.query.limit).execute();
      return { items: rows.map((r) => ({ messageId: r.message_id, topic: r.topic, payload: r.payload, errors: r.errors, receivedAt: r.received_at.toISOString() })) };
    },
  );
}
