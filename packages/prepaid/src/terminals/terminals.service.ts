import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cache, Database } from '@app/kernel';
import type { PrepaidDb } from '../tables.js';

/**
 * Terminals authenticate every POS request with their code and a secret issued once. Only the secret's
 * SHA-256 is stored; a 256-bit random secret makes a slow hash unnecessary, which keeps the per-request
 * check cheap on the authorization path. Lookups are cached briefly; blocking takes effect within that.
 */
export interface Terminal {
  id: string;
  code: string;
  merchantId: string;
  status: 'active' | 'blocked';
  secretHash: string;
}

const CACHE_SECONDS = 30;
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class Terminals {
  constructor(
    private readonly database: Database<PrepaidDb>,
    private readonly cache: Cache,
  ) {}

  async register(input: { code: string; merchantId: string }): Promise<{ id: string; code: string; secret: string }> {
    const secret = randomBytes(32).toString('base64url');
    const row = await this.database.db
      .insertInto('terminals')
      .values({ code: input.code, merchant_id: input.merchantId, secret_hash: digest(secret) })
      .returning(['id', 'code'])
      .executeTakeFirstOrThrow();
    return { ...row, secret };
  }

  /** The terminal if code and secret match (blocked ones included: the caller declines them). */
  async authenticate(code: string, secret: string): Promise<Terminal | null> {
    const terminal = await this.find(code);
    if (!terminal) return null;
    const given = Buffer.from(digest(secret), 'hex');
    const stored = Buffer.from(terminal.secretHash, 'hex');
    return given.length === stored.length && timingSafeEqual(given, stored) ? terminal : null;
  }

  /** Drops the cached copy so a block takes effect on this instance at once (others within CACHE_SECONDS). */
  async forget(code: string) {
    await this.cache.del(`terminal:${code}`).catch(() => undefined);
  }

  private async find(code: string): Promise<Terminal | null> {
    const cached = await this.cache.get<Terminal>(`terminal:${code}`).catch(() => undefined);
    if (cached) return cached;
    const row = await this.database.db.selectFrom('terminals').select(['id', 'code', 'merchant_id', 'status', 'secret_hash']).where('code', '=', code).executeTakeFirst();
    if (!row) return null;
    const terminal: Terminal = { id: row.id, code: row.code, merchantId: row.merchant_id, status: row.status, secretHash: row.secret_hash };
    await this.cache.set(`terminal:${code}`, terminal, CACHE_SECONDS).catch(() => undefined);
    return terminal;
  }
}
