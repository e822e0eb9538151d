import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFront } from '../testing/fixture.js';

// The SPA beside the API: pages for deep links, assets, and never the page where the API answers.
const root = mkdtempSync(join(tmpdir(), 'cabinet-web-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>cabinet</title><div id="root"></div>');
writeFileSync(join(root, 'assets', 'main-abc123.js'), 'console.log(1)');

let front: Awaited<ReturnType<typeof startFront>>;
beforeAll(async () => {
  front = await startFront({ web: { root } });
});
afterAll(async () => {
  await front?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('cabinet-front serves the consumer cabinet SPA', () => {
  it('answers the page at / and at deep links, with the SPA content policy', async () => {
    for (const url of ['/', '/contracts/7f0e', '/readings?meter=1', '/money/payments/abc']) {
      const res = await front.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = await front.app.inject({ method: 'GET', url: '/assets/main-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('never answers the API, auth, docs or probes with the page', async () => {
    for (const url of ['/api/nope', '/api/contracts/not-a-uuid/x', '/auth/nope', '/docs/nope', '/health/x', '/assets/missing.js', '/favicon.ico']) {
      const res = await front.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
    const docs = await front.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(docs.json()).toHaveProperty('paths./api/summary');
    expect((await front.app.inject({ method: 'GET', url: '/api/summary' })).statusCode).toBe(401);
    expect((await front.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it("sends a browser back from the bank (SuccessURL/FailURL) to the SPA's page; the API route still answers JSON", async () => {
    const id = randomUUID();
    const page = await front.app.inject({ method: 'GET', url: `/api/payments/orders/${id}/return`, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/money/payments/${id}`);
    const api = await front.app.inject({ method: 'GET', url: `/api/payments/orders/${id}/return`, headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(401);
    expect(api.headers['content-type']).toContain('application/problem+json');
    const post = await front.app.inject({ method: 'POST', url: '/contracts', headers: { accept: 'text/html' } });
    expect(post.statusCode).toBe(404);
  });
});
