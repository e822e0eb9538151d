import { auditContext, notFound, recordAudit, type Database, type HttpApp } from '@app/kernel';
import type { Kysely } from 'kysely';
import type { OfflineDb } from '../tables.js';
import type { Terminal } from '../terminals/terminals.service.js';
import * as S from './offline.schema.js';
import type { SnapshotService } from './snapshot.service.js';
import type { OfflineUploads } from './upload.service.js';

const terminalOnly = { access: { roles: ['terminal'] } } as const;
const security = [{ terminal: [] }];
const operator = { access: { roles: ['operator'] } } as const;
const settlement = { access: { roles: ['settlement'] } } as const;

/**
 * POS side of offline mode, registered inside the POS API's scope (its HTTP Basic terminal auth):
 * the signed snapshot (full or delta, as bytes with the signature in headers), the public key it is
 * signed with, and the upload of offline transactions.
 */
export function registerOfflinePosRoutes(pos: HttpApp, deps: { snapshots: SnapshotService; uploads: OfflineUploads }) {
  pos.get(
    '/offline/public-key',
    { config: terminalOnly, schema: { tags: ['pos'], summary: 'The Ed25519 key snapshots are signed with (provision terminals with it; do not trust it fetched over an unverified channel)', security, response: { 200: S.PublicKeyAnswer } } },
    async () => deps.snapshots.publicKey,
  );

  pos.get(
    '/offline/snapshot',
    {
      config: terminalOnly,
      schema: {
        tags: ['pos'],
        summary: 'Download the terminal snapshot: 204 when `since` is current, the delta from `since` when kept, else the full one',
        description:
          'Body: gzip of the prepaid-offline-snapshot/1 JSON (docs/offline.md). Headers: x-snapshot-kind (full|delta), x-snapshot-version, x-snapshot-from-version, x-snapshot-key-id, x-snapshot-signature (Ed25519 over the body bytes, base64).',
        security,
        querystring: S.SnapshotQuery,
      },
    },
    async (request, reply) => {
      const found = await deps.snapshots.download(request.query.since);
      reply.header('x-snapshot-version', String(found.version));
      if (found.kind === 'current') return reply.status(204).send();
      reply.header('x-snapshot-kind', found.kind).header('x-snapshot-key-id', found.keyId).header('x-snapshot-signature', found.signature);
      if (found.fromVersion !== undefined) reply.header('x-snapshot-from-version', String(found.fromVersion));
      return reply.type('application/octet-stream').send(found.body);
    },
  );

  pos.post(
    '/offline/transactions',
    {
      config: terminalOnly,
      schema: {
        tags: ['pos'],
        summary: 'Upload offline transactions: applied in seq order, each once (posted, or a failed operation for the claims cycle); a re-upload answers the same',
        security,
        body: S.UploadBody,
        response: { 200: S.UploadAnswer },
      },
    },
    async (request) => ({ results: await deps.uploads.upload(request.terminal as Terminal, request.body.transactions) }),
  );
}

/** Staff side: snapshot versions and a build on request; failed operations for the claims cycle. */
export function registerOfflineStaffRoutes(app: HttpApp, deps: { database: Database<OfflineDb>; snapshots: SnapshotService }) {
  const db = deps.database.db;
  const tags = ['offline'];

  app.get('/api/staff/offline/snapshots', { config: settlement, schema: { tags, summary: 'Terminal snapshot versions, newest first', response: { 200: { type: 'object', properties: { items: { type: 'array', items: S.SnapshotInfo } } } } } }, async () => ({
    items: (await deps.snapshots.list(50)).map(viewInfo),
  }));

  app.post('/api/staff/offline/snapshots', { config: settlement, schema: { tags, summary: 'Build the terminal snapshot now (a new version only if anything changed)', response: { 200: S.SnapshotInfo } } }, async (request) => {
    const info = await deps.snapshots.build(`staff:${request.user!.loginKey}`);
    await recordAudit(db, { ...auditContext(request), action: 'offline.snapshot.build', targetType: 'offline_snapshot', targetId: String(info.version), details: { created: info.created } });
    return viewInfo(info);
  });

  app.get('/api/staff/failed-operations', { config: operator, schema: { tags, summary: 'Failed operations (offline purchases that could not be posted), newest first', querystring: S.FailedOperationQuery, response: { 200: S.FailedOperationList } } }, async (request) => {
    const q = request.query;
    let query = db.selectFrom('failed_operations');
    if (q.status) query = query.where('status', '=', q.status);
    if (q.code) query = query.where('code', '=', q.code);
    if (q.terminalId) query = query.where('terminal_id', '=', q.terminalId);
    if (q.accountId) query = query.where('account_id', '=', q.accountId);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(viewFailed), total: Number(total.n) };
  });

  app.get('/api/staff/failed-operations/:id', { config: operator, schema: { tags, summary: 'One failed operation', params: S.IdParams, response: { 200: S.FailedOperationView } } }, async (request) => {
    const row = await findFailed(db, request.params.id);
    if (!row) throw notFound('failed_operation_not_found', 'No such failed operation');
    return viewFailed(row);
  });
}

export const findFailed = (db: Kysely<OfflineDb>, id: string) => db.selectFrom('failed_operations').selectAll().where('id', '=', id).executeTakeFirst();

type FailedRow = NonNullable<Awaited<ReturnType<typeof findFailed>>>;
export function viewFailed(r: FailedRow) {
  return {
    id: r.id,
    kind: r.kind,
    terminalId: r.terminal_id,
    merchantId: r.merchant_id,
    transactionId: r.transaction_id,
    identifier: { kind: r.identifier_kind, value: r.identifier_value },
    accountId: r.account_id,
    basket: r.basket.map((l) => ({ product: l.product, amount: Number(l.amount) })),
    amount: Number(r.amount),
    happenedAt: r.happened_at.toISOString(),
    code: r.code,
    details: r.details,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
  };
}

function viewInfo(i: Awaited<ReturnType<SnapshotService['build']>>) {
  return { ...i, builtAt: i.builtAt.toISOString(), asOfSeq: Number(i.asOfSeq) };
}
