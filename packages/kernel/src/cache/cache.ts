import { Redis } from 'ioredis';

/**
 * Shared cache for identifier lookups, rate limits and session look-ups. Redis when configured (shared
 * by every instance), memory otherwise (one process). Values are JSON; every key is prefixed per service.
 * The cache is never the only copy of anything: losing it (flush, restart) costs speed, not data.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Atomic counter; the expiry is set when the counter is created, so it is a fixed window. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createCache(options: { url?: string | undefined; prefix: string }): Cache {
  return options.url ? new RedisCache(options.url, options.prefix) : new MemoryCache(options.prefix);
}

export class MemoryCache implements Cache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  constructor(private readonly prefix = '') {}

  private live(key: string) {
    const entry = this.entries.get(this.prefix + key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(this.prefix + key);
      return undefined;
    }
    return entry;
  }

  async get<T>(key: string) {
    const entry = this.live(key);
    return entry ? (JSON.parse(entry.value) as T) : undefined;
  }
  async set(key: string, value: unknown, ttlSeconds: number) {
    this.sweep();
    this.entries.set(this.prefix + key, { value: JSON.stringify(value), expiresAt: Date.now() + ttlSeconds * 1000 });
  }
  async del(key: string) {
    this.entries.delete(this.prefix + key);
  }
  async incr(key: string, ttlSeconds: number) {
    const entry = this.live(key);
    if (!entry) {
      await this.set(key, 1, ttlSeconds);
      return 1;
    }
    const next = Number(JSON.parse(entry.value)) + 1;
    entry.value = JSON.stringify(next);
    return next;
  }
  async ping() {}
  async close() {
    this.entries.clear();
  }

  // Bounded memory without a timer: expired entries are dropped now and then on write.
  private writes = 0;
  private sweep() {
    if (++this.writes % 1000 !== 0) return;
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

export class RedisCache implements Cache {
  private readonly redis: Redis;
  constructor(url: string, private readonly prefix: string) {
    // Bounded waits while Redis is away (a command fails after 2 s instead of hanging a request);
    // ioredis reconnects by itself.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2000, keyPrefix: prefix });
    this.redis.on('error', () => {});
  }
  async get<T>(key: string) {
    const value = await this.redis.get(key);
    return value === null ? undefined : (JSON.parse(value) as T);
  }
  async set(key: string, value: unknown, ttlSeconds: number) {
    await this.redis.set(key, JSON.stringify(value), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }
  async del(key: string) {
    await this.redis.del(key);
  }
  async incr(key: string, ttlSeconds: number) {
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, Math.max(1, Math.ceil(ttlSeconds)), 'NX').exec()) as [[null, number]];
    return count;
  }
  async ping() {
    await this.redis.ping();
  }
  async close() {
    this.redis.disconnect();
  }
}
