import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig } from '@app/kernel/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedPrepaidDemo } from '../../demo.js';
import { prepaidMigrations } from '../../migrations.js';
import type { PrepaidDb } from '../../tables.js';
import { createPrepaidApp } from '../../server.js';
import { seedWorkplaceDemo } from '../demo-data.js';
import { defaultWorkplaceDist } from '../spa.js';
import type { Database } from '@app/kernel';

/**
 * The browser-test bench: a prepaid server with the demo data on a port of its own, serving the built
 * workplace, and Debian's Chromium driven by playwright-core (no browser download). Screenshots go to
 * a temp folder; with UPDATE_SCREENSHOTS=1 they are also copied into docs/screenshots.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
export const screenshotsDir = join(repoRoot, 'docs/screenshots');

export interface Bench {
  url: string;
  app: HttpApp;
  browser: Browser;
  runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  close(): Promise<void>;
}

export function ensureWebBuild() {
  // `npm ci` and `npm test` build it; a direct `vitest run` on a clean tree builds it here.
  if (!existsSync(join(defaultWorkplaceDist, 'index.html'))) execFileSync('npm', ['run', 'build', '-w', '@app/web'], { cwd: repoRoot, stdio: 'inherit' });
}

export async function startBench(options: { workers?: (runtime: Bench['runtime']) => Promise<() => Promise<unknown>> } = {}): Promise<Bench> {
  ensureWebBuild();
  const runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  await seedWorkplaceDemo(runtime.database as unknown as Database<PrepaidDb>, runtime.cache);
  const app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const stopWorkers = options.workers ? await options.workers(runtime) : async () => {};
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return {
    url,
    app,
    browser,
    runtime,
    close: async () => {
      await browser.close();
      await stopWorkers();
      await app.close();
      await runtime.close();
    },
  };
}

export async function loginAs(bench: Bench, login: string, options: { mobile?: boolean; lang?: 'en' } = {}): Promise<Page> {
  const context = await bench.browser.newContext(options.mobile ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } : { viewport: { width: 1366, height: 850 } });
  const page = await context.newPage();
  // Fail at the step that is wrong, well inside the test's own timeout.
  page.setDefaultTimeout(8000);
  await page.goto(bench.url);
  if (options.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
  await page.getByLabel(options.lang === 'en' ? 'Login' : 'Логин', { exact: true }).fill(login);
  await page.getByLabel(options.lang === 'en' ? 'Password' : 'Пароль', { exact: true }).fill('Prepaid-2026!');
  await page.getByRole('button', { name: options.lang === 'en' ? 'Log in' : 'Войти' }).click();
  await page.locator('.shell').waitFor();
  return page;
}

export async function screenshot(page: Page, name: string) {
  const dir = join(process.env.TMPDIR ?? '/tmp', 'workplace-screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(screenshotsDir, { recursive: true });
    copyFileSync(file, join(screenshotsDir, `${name}.png`));
  }
}
