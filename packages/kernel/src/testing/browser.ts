import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.x A/AA and best practice) in the page and fails on any serious or critical
 * violation, naming the rule and the elements. The script is evaluated through the browser's debugging
 * protocol, so the page's content security policy (no inline scripts) stays as it is in production.
 */
export async function axeCheck(page: Page, options: { disable?: string[] } = {}): Promise<AxeViolation[]> {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = (await page.evaluate(async (disable) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const rules = Object.fromEntries(disable.map((id) => [id, { enabled: false }]));
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, rules });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  }, options.disable ?? [])) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length) {
    const text = serious.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');
    throw new Error(`axe: ${serious.length} serious/critical accessibility violation(s) on ${page.url()}\n${text}`);
  }
  return violations;
}
