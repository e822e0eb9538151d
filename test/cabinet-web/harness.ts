import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage, saveScreenshot, waitFor } from '@app/kernel/testing';
export { axeCheck, type AxeViolation } from '@app/kernel/testing';
import type { Browser, Page } from 'playwright-core';
import { startCabinetStack, type CabinetStack, type CabinetStackOptions } from '../support/cabinet-stack.js';

/**
 * The browser-test bench of the consumer cabinet SPA: the whole cabinet (test/support/cabinet-stack.ts:
 * front, back, billing with demo data, bus, T-Bank emulator) with the front serving a build of
 * packages/web/src/cabinet made from the current sources, and a headless Debian chromium.
 *
 *   const bench = await startCabinetWeb();
 *   const { page } = await registerAndLogin(bench);           // a new consumer, logged in, on the home page
 *   await linkContract(bench, page);                          // D-000001 by its secret, waits until it arrives
 *   await axeCheck(page);                                     // no serious/critical accessibility violations
 *   await screenshots(page, 'home');                          // cabinet-home-desktop.png + cabinet-home-phone.png
 *
 * Screenshots go to $TMPDIR/cabinet-screenshots, and with UPDATE_SCREENSHOTS=1 to docs/screenshots.
 */
export interface CabinetWebBench {
  stack: CabinetStack;
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

const repo = fileURLToPath(new URL('../..', import.meta.url));
const web = join(repo, 'packages/web');

/**
 * A build of the cabinet SPA from the sources as they are now, shared by the test files of a run: its
 * folder is named by a hash of every input (cabinet and shared sources, vite config, lock file), built
 * once into a private folder and renamed into place, so no file ever reads a half-written build.
 */
export async function freshCabinetBuild(): Promise<string> {
  const hash = createHash('sha256');
  const inputs = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? inputs(join(dir, n)) : [join(dir, n)]));
  for (const file of [...inputs(join(web, 'src/cabinet')), ...inputs(join(web, 'src/shared')), join(web, 'vite.config.ts'), join(repo, 'package-lock.json')].sort()) {
    hash.update(file).update(readFileSync(file));
  }
  const root = join(tmpdir(), 'cabinet-web-builds');
  const dir = join(root, hash.digest('hex').slice(0, 16));
  mkdirSync(root, { recursive: true });
  // Vite refuses two builds of one project at a time: the test files of a run take turns (a lock
  // folder; one left by a killed run is taken over after three minutes).
  const lock = join(root, 'build.lock');
  for (;;) {
    if (existsSync(join(dir, 'index.html'))) return dir;
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (existsSync(join(dir, 'index.html'))) return dir;
    const scratch = `${dir}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
    execFileSync('npx', ['--no-install', 'vite', 'build', '--logLevel', 'error', '--outDir', scratch, '--emptyOutDir'], { cwd: web, env: { ...process.env, APP: 'cabinet' }, stdio: ['ignore', 'ignore', 'inherit'] });
    renameSync(scratch, dir);
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function startCabinetWeb(options: CabinetStackOptions = {}): Promise<CabinetWebBench> {
  const root = await freshCabinetBuild();
  const stack = await startCabinetStack({ ...options, front: { ...options.front, web: { root } } });
  const browser = await launchBrowser();
  return {
    stack,
    url: stack.frontUrl,
    browser,
    close: async () => {
      await browser.close();
      await stack.close();
    },
  };
}

export interface PageOptions {
  /** A phone (390 px, touch) instead of a desktop (1366 px). */
  phone?: boolean;
  /** The interface language (Russian by default, as a consumer first sees it). */
  lang?: 'ru' | 'en';
}

/** A fresh browser context (own cookies) on the cabinet, in the language asked for. */
export async function newPage(bench: CabinetWebBench, options: PageOptions = {}): Promise<Page> {
  const page = await openPage(bench.browser, { phone: options.phone, timeoutMs: 30_000 });
  if (options.lang === 'en') // Runs in the page (the test's own tsconfig has no DOM types).
    await page.addInitScript(() => (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('lang', 'en'));
  return page;
}

let counter = 0;

/**
 * Registers a new consumer through the registration screen (e-mail → the one-time code from
 * stack.otp → name and password) and ends logged in on the home page. Form fields are found by their
 * names, so this works in either language.
 */
export async function registerAndLogin(bench: CabinetWebBench, options: PageOptions & { email?: string; password?: string; name?: string; page?: Page } = {}) {
  const email = options.email ?? `consumer-${Date.now().toString(36)}-${++counter}-${randomBytes(2).toString('hex')}@cabinet-web.test`;
  const password = options.password ?? 'Consumer-2026!';
  const page = options.page ?? (await newPage(bench, options));
  await page.goto(`${bench.url}/register`);
  await page.locator('input[name="contact"]').fill(email);
  await page.locator('form button[type="submit"]').click();
  await page.locator('input[name="code"]').waitFor();
  const code = await waitFor(() => bench.stack.otp.lastCodeFor(email.toLowerCase()), { what: `one-time code for ${email}` });
  await page.locator('input[name="code"]').fill(code);
  await page.locator('input[name="displayName"]').fill(options.name ?? 'Иванов Иван Иванович');
  await page.locator('input[name="password"]').fill(password);
  await page.locator('input[name="repeat"]').fill(password);
  await page.locator('form button[type="submit"]').click();
  await page.locator('.shell').waitFor();
  return { page, login: email, password };
}

/** Logs in through the login screen with an existing account. */
export async function loginAs(bench: CabinetWebBench, login: string, password: string, options: PageOptions & { page?: Page } = {}) {
  const page = options.page ?? (await newPage(bench, options));
  await page.goto(`${bench.url}/login`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button[type="submit"]').click();
  await page.locator('.shell').waitFor();
  return page;
}

/** Calls the front's API from inside the page (its session cookie and CSRF token), for set-up steps a test is not about. */
export async function apiCall<T = unknown>(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const doc = (globalThis as unknown as { document: { cookie: string } }).document;
      const csrf = decodeURIComponent(doc.cookie.split('; ').find((c) => c.startsWith('cabinet_csrf='))?.slice('cabinet_csrf='.length) ?? '');
      const res = await fetch(url, { method, headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: res.status === 204 ? null : await res.json().catch(() => null) };
    },
    { method, url, body },
  ) as Promise<{ status: number; body: T }>;
}

/**
 * Links a contract by its number and secret through the API (the screen for it is tested on its own)
 * and waits until the back's snapshot has arrived: the contract is listed. Default: demo D-000001.
 */
export async function linkContract(bench: CabinetWebBench, page: Page, contractNumber = 'D-000001', secret = 'DEMO-2026-01') {
  const linked = await apiCall<{ id: string }>(page, 'POST', '/api/links/by-secret', { contractNumber, secret });
  if (linked.status >= 300) throw new Error(`link ${contractNumber}: ${linked.status} ${JSON.stringify(linked.body)}`);
  await waitFor(
    async () => {
      const list = await apiCall<{ items: { number: string }[] }>(page, 'GET', '/api/contracts');
      return list.body?.items?.some((c) => c.number === contractNumber) || undefined;
    },
    { what: `contract ${contractNumber} linked`, timeoutMs: 60_000 },
  );
}

/**
 * Screenshots of the current screen at desktop (1366) and phone (390) width: cabinet-<screen>-desktop
 * and cabinet-<screen>-phone. The page is resized for the phone shot and put back.
 */
export async function screenshots(page: Page, screen: string, options: { only?: 'desktop' | 'phone' } = {}) {
  const size = page.viewportSize() ?? { width: 1366, height: 850 };
  if (options.only !== 'phone') {
    await page.setViewportSize({ width: 1366, height: 850 });
    await saveScreenshot(page, 'cabinet-screenshots', `cabinet-${screen}-desktop`);
  }
  if (options.only !== 'desktop') {
    await page.setViewportSize({ width: 390, height: 844 });
    await saveScreenshot(page, 'cabinet-screenshots', `cabinet-${screen}-phone`);
  }
  await page.setViewportSize(size);
}

/**
 * Whether the page scrolls sideways at `width` px (a phone page must not): the document's scroll width
 * against that width and `window.innerWidth` (a mobile-emulated page may widen its layout viewport to
 * its content, so the width asked for is what counts), and, to say what is at fault, the outermost
 * elements whose right edge passes it (tag, classes, right edge in px).
 */
export async function sideScroll(page: Page, width: number): Promise<{ scrollWidth: number; innerWidth: number; overflowing: string[] }> {
  return page.evaluate((width) => {
    type El = { tagName: string; className: unknown; parentElement: El | null; getBoundingClientRect(): { right: number } };
    const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): Iterable<El> } };
    const wide = (e: El) => e.getBoundingClientRect().right > width + 0.5;
    const overflowing = [...g.document.querySelectorAll('body *')]
      .filter((e) => wide(e) && !(e.parentElement && wide(e.parentElement)))
      .map((e) => `${e.tagName.toLowerCase()}${typeof e.className === 'string' && e.className ? `.${e.className.trim().split(/\s+/).join('.')}` : ''} → ${Math.round(e.getBoundingClientRect().right)}px`);
    return { scrollWidth: g.document.documentElement.scrollWidth, innerWidth: g.innerWidth, overflowing };
  }, width);
}

/** At phone width (390 px) the current screen does not scroll sideways; the page's size is put back. */
export async function expectNoSideScrollOnPhone(page: Page) {
  const size = page.viewportSize() ?? { width: 1366, height: 850 };
  const width = 390;
  await page.setViewportSize({ width, height: 844 });
  const found = await sideScroll(page, width);
  await page.setViewportSize(size);
  if (found.scrollWidth > Math.min(width, found.innerWidth))
    throw new Error(`the page scrolls sideways at ${width} px (${found.scrollWidth} px wide, window ${found.innerWidth} px) on ${page.url()}: ${found.overflowing.join(', ') || 'no element found past the edge'}`);
}
