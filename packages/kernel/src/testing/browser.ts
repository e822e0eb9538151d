import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { spaDist, type SpaName } from '../http/spa.js';

/**
 * Browser tests of every SPA: Debian's Chromium driven by playwright-core (no browser download).
 * Screenshots go to a temp folder; with UPDATE_SCREENSHOTS=1 they are also copied into docs/screenshots.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const screenshotsDir = join(repoRoot, 'docs/screenshots');

/** `npm ci` and `npm test` build the SPAs; a direct `vitest run` on a clean tree builds them here. */
export function ensureWebBuild(name: SpaName) {
  if (!existsSync(join(spaDist(name), 'index.html'))) execFileSync('npm', ['run', 'build', '-w', '@app/web'], { cwd: repoRoot, stdio: 'inherit' });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export const DESKTOP = { viewport: { width: 1366, height: 850 } } as const;
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;

/** A fresh context (own cookies) and page; fails at the step that is wrong, well inside the test's timeout. */
export async function openPage(browser: Browser, options: { phone?: boolean; timeoutMs?: number } = {}): Promise<Page> {
  const context = await browser.newContext(options.phone ? PHONE : DESKTOP);
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeoutMs ?? 8000);
  return page;
}

export async function saveScreenshot(page: Page, folder: string, name: string) {
  const dir = join(process.env.TMPDIR ?? '/tmp', folder);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(screenshotsDir, { recursive: true });
    copyFileSync(file, join(screenshotsDir, `${name}.png`));
  }
}
