import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, ensureWebBuild, launchBrowser, openPage, saveScreenshot, screenshotsDir, testConfig } from '@app/kernel/testing';
import type { Browser, Page } from 'playwright-core';
import { seedPrepaidDemo } from '../../demo.js';
import { prepaidMigrations } from '../../migrations.js';
import type { PrepaidDb } from '../../tables.js';
import { createPrepaidApp } from '../../server.js';
import { seedWorkplaceDemo } from '../demo-data.js';
import type { Database } from '@app/kernel';

/** The browser-test bench: a prepaid server with the demo data on a port of its own, serving the built workplace. */
export { screenshotsDir };

export interface Bench {
  url: string;
  app: HttpApp;
  browser: Browser;
  runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  close(): Promise<void>;
}


export async function startBench(options: { workers?: (runtime: Bench['runtime']) => Promise<() => Promise<unknown>> } = {}): Promise<Bench> {
  ensureWebBuild('workplace');
  const runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  await seedWorkplaceDemo(runtime.database as unknown as Database<PrepaidDb>, runtime.cache);
  const app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const stopWorkers = options.workers ? await options.workers(runtime) : async () => {};
  const browser = await launchBrowser();
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
  const page = await openPage(bench.browser, { phone: options.mobile });
  await page.goto(bench.url);
  if (options.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
  await page.getByLabel(options.lang === 'en' ? 'Login' : 'Логин', { exact: true }).fill(login);
  await page.getByLabel(options.lang === 'en' ? 'Password' : 'Пароль', { exact: true }).fill('Prepaid-2026!');
  await page.getByRole('button', { name: options.lang === 'en' ? 'Log in' : 'Войти' }).click();
  await page.locator('.shell').waitFor();
  return page;
}

/**
 * A request the UI would not make, sent from the logged-in page with its session cookie and CSRF token:
 * how a test shows the server refuses an action whose button a role does not see.
 */
export async function forced(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: { code?: string } }> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'prepaid_csrf')?.value ?? '';
  const response = await page.request.fetch(new URL(url, page.url()).toString(), {
    method,
    headers: { 'x-csrf-token': decodeURIComponent(csrf), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { data: JSON.stringify(body) }),
  });
  return { status: response.status(), body: (await response.json().catch(() => ({}))) as { code?: string } };
}

export function screenshot(page: Page, name: string) {
  return saveScreenshot(page, 'workplace-screenshots', name);
}
