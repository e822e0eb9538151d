import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { createHttpApp } from './app.js';

const logger = createLogger({ service: 'test', level: 'silent' });

describe('closing the http app', () => {
  it('waits for a handler whose client has already gone before it reports closed', async () => {
    const app = await createHttpApp({ service: 'test', title: 'Test API', logger });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const events: string[] = [];
    app.get('/slow', { config: { access: 'public' } }, async () => {
      entered();
      await released;
      events.push('handler finished');
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };

    // The client gives up while the handler is still working: its connection is gone.
    const req = request({ host: '127.0.0.1', port, path: '/slow' });
    req.on('error', () => {});
    req.end();
    await inHandler;
    req.destroy();

    const closed = app.close().then(() => events.push('app closed'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events, 'close must not report done while the handler runs').toEqual([]);
    release();
    await closed;
    expect(events).toEqual(['handler finished', 'app closed']);
  });

  it('closes at once when nothing is running', async () => {
    const app = await createHttpApp({ service: 'test', title: 'Test API', logger });
    app.get('/fast', { config: { access: 'public' } }, async () => ({ ok: true }));
    expect((await app.inject({ url: '/fast' })).statusCode).toBe(200);
    const started = process.hrtime.bigint();
    await app.close();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5_000);
  });
});
