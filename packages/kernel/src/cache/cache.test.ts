import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache, MemoryCache, type Cache } from './cache.js';
import { waitFor } from '../testing/wait-for.js';

function cacheContract(name: string, make: () => Cache) {
  describe(`cache: ${name}`, () => {
    const cache = make();
    afterAll(() => cache.close());

    it('stores JSON values until their time to live ends', async () => {
      await cache.set('a', { n: 1, s: 'Ы' }, 1);
      expect(await cache.get('a')).toEqual({ n: 1, s: 'Ы' });
      await waitFor(async () => (await cache.get('a')) === undefined, { timeoutMs: 3000, what: 'expiry' });
    });

    it('deletes a key', async () => {
      await cache.set('b', 'x', 60);
      await cache.del('b');
      expect(await cache.get('b')).toBeUndefined();
    });

    it('counts atomically within a window and starts again after it', async () => {
      const counts = await Promise.all(Array.from({ length: 10 }, () => cache.incr('c', 1)));
      expect([...counts].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      await waitFor(async () => (await cache.incr('c', 1)) === 1, { timeoutMs: 3000, what: 'window reset' });
    });

    it('keeps services apart by prefix', async () => {
      await cache.set('shared', 1, 60);
      const other = name === 'memory' ? new MemoryCache('other:') : make();
      expect(await other.get('shared')).toBeUndefined();
      if (other !== cache) await other.close();
    });
  });
}

cacheContract('memory', () => new MemoryCache(`t${randomBytes(3).toString('hex')}:`));
if (process.env.REDIS_URL) {
  cacheContract('redis', () => createCache({ url: process.env.REDIS_URL, prefix: `t${randomBytes(3).toString('hex')}:` }));
}
