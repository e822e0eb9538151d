import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every folder of src/ with an index.html is one SPA (workplace, cabinet, back-office): each is built
// into dist/<name> by the same vite.config.ts, so a new app needs no change here.
const src = fileURLToPath(new URL('../src', import.meta.url));
const apps = readdirSync(src).filter((name) => existsSync(join(src, name, 'index.html')));
for (const app of apps) {
  execFileSync('npx', ['--no-install', 'vite', 'build', '--logLevel', 'warn'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, APP: app },
    stdio: 'inherit',
  });
  process.stderr.write(`web: built ${app}\n`);
}
