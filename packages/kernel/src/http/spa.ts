import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notFound } from '../errors/app-error.js';
import type { HttpApp } from './app.js';

/**
 * Serves one SPA of packages/web (built by Vite into packages/web/dist/<app>) at `/`, beside the API
 * under /api and /auth. The build is read into memory at start (a few hundred KB): no file system
 * access per request, and a file added to the folder later is never served. Any other GET that a
 * browser asks as a page gets index.html, so deep links (/clients/…) work.
 */
export type SpaName = 'workplace' | 'cabinet' | 'back-office';

export function spaDist(name: SpaName) {
  return fileURLToPath(new URL(`../../../web/dist/${name}`, import.meta.url));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The SPA needs its own scripts, styles and XHR to this origin; nothing else (no inline scripts, no third parties).
const SPA_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// Paths that belong to the server: an unknown one there is a 404 problem, never the SPA.
const SERVER_PATHS = /^\/(api|auth|docs|openapi\.json|health|ready|metrics)(\/|$|\?)/;

interface Asset {
  body: Buffer;
  type: string;
  immutable: boolean;
}

function readBuild(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const url = `/${relative(root, full).split(sep).join('/')}`;
        // Vite names assets by content hash: they may be cached for good; index.html never.
        assets.set(url, { body: readFileSync(full), type: TYPES[extname(name)] ?? 'application/octet-stream', immutable: url.startsWith('/assets/') });
      }
    }
  };
  walk(root);
  return assets;
}

function missingBuild(name: SpaName) {
  return Buffer.from(
    `<!doctype html><meta charset="utf-8"><title>${name}</title><p>Сборка веб-приложения не найдена: выполните <code>npm run build -w @app/web</code> (npm ci делает это сам).</p>` +
      `<p>The ${name} build is missing: run <code>npm run build -w @app/web</code> (npm ci runs it).</p>`,
  );
}

export function registerSpa(app: HttpApp, options: { name: SpaName; root?: string }) {
  const root = options.root ?? spaDist(options.name);
  const assets = existsSync(join(root, 'index.html')) ? readBuild(root) : new Map<string, Asset>([['/index.html', { body: missingBuild(options.name), type: TYPES['.html']!, immutable: false }]]);
  const index = assets.get('/index.html')!;

  // The kernel's onSend sets a "default-src 'none'" policy fit for an API; pages of the SPA get theirs
  // here (this hook runs after the kernel's, so it has the last word for these routes only).
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.config?.spa) reply.header('content-security-policy', SPA_CSP);
    return payload;
  });

  const page = { access: 'public', spa: true } as const;
  app.get('/', { config: page, schema: { hide: true } }, async (_request, reply) => reply.type(index.type).header('cache-control', 'no-cache').send(index.body));
  app.get('/*', { config: page, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const asset = assets.get(path);
    if (asset) return reply.type(asset.type).header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache').send(asset.body);
    if (SERVER_PATHS.test(path) || path.startsWith('/assets/') || extname(path) !== '') throw notFound('not_found', `No route GET ${path}`);
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A page of the SPA: gets the SPA's content security policy. */
    spa?: boolean;
  }
}
