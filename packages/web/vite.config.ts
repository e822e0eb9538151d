import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * One folder per SPA under src/ (workplace now; the cabinet later): `APP=cabinet vite build` builds
 * another into dist/<app>. The prepaid server serves dist/workplace at `/`; in development
 * `npm run dev -w @app/web` proxies the API to a running `npm start`.
 */
const app = process.env.APP ?? 'workplace';
const api = process.env.API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL(`./src/${app}`, import.meta.url)),
  base: '/',
  build: { outDir: fileURLToPath(new URL(`./dist/${app}`, import.meta.url)), emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': api, '/auth': api } },
});
