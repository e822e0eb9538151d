import { tooManyRequests, unauthorized, type Cache, type Database, type HttpApp } from '@app/kernel';
import type { PrepaidDb } from '../tables.js';
import { parseKey, scopeRole, secretMatches, type PartnerScope } from './api-key.js';

/**
 * Authenticates partner systems by `Authorization: Bearer pk_…`. A valid key makes the caller a user
 * whose roles are its scopes (`partner:credits:write`…), so partner routes use the same `config.access`
 * guard as every other route, and no staff route ever admits a partner (staff roles are never scopes).
 * A key that is present but wrong is refused at once, never treated as "no credentials".
 */
export function registerPartnerAuth(app: HttpApp, deps: { database: Database<PrepaidDb>; cache: Cache; requestsPerMinute?: number }) {
  const perMinute = deps.requestsPerMinute ?? 1200;
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return;
    const parsed = parseKey(header.slice('Bearer '.length).trim());
    if (!parsed) throw unauthorized('invalid_api_key', 'The API key is malformed');
    const row = await deps.database.db
      .selectFrom('partner_api_keys as k')
      .innerJoin('partners as p', 'p.id', 'k.partner_id')
      .select(['k.id', 'k.secret_sha256', 'k.scopes', 'k.expires_at', 'k.revoked_at', 'k.last_used_at', 'p.id as partner_id', 'p.code', 'p.name', 'p.status'])
      .where('k.id', '=', parsed.id)
      .executeTakeFirst();
    if (!row || !secretMatches(parsed.secret, row.secret_sha256)) throw unauthorized('invalid_api_key', 'The API key is not valid');
    if (row.revoked_at || (row.expires_at && row.expires_at.getTime() <= Date.now())) throw unauthorized('api_key_revoked', 'The API key is revoked or expired');
    if (row.status !== 'active') throw unauthorized('partner_blocked', 'The partner is blocked');
    const count = await deps.cache.incr(`partner-rate:${row.id}`, 60).catch(() => 0);
    if (count > perMinute) throw tooManyRequests('rate_limited', `At most ${perMinute} requests a minute per key`, 60);
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      await deps.database.db.updateTable('partner_api_keys').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
    }
    // A bearer call is not a browser session: no cookie identity, so no CSRF check either.
    request.session = null;
    request.user = { id: row.partner_id, loginKey: `partner:${row.code}`, displayName: row.name, roles: (row.scopes as PartnerScope[]).map(scopeRole) };
  });
}
