import { createRoot, type Issued } from '@app/cabinet-front/testing';
import { totpCode, totpStep, type HttpApp } from '@app/kernel';
import { axeCheck, ensureWebBuild, launchBrowser, loginWithTotp, nextTotpProof, openPage, saveScreenshot } from '@app/kernel/testing';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startCabinetStack, type CabinetStack } from '../support/cabinet-stack.js';

export { axeCheck };

/**
 * The back-office browser bench: the whole cabinet on ports (test/support/cabinet-stack.ts: front, back
 * with the demo staff, billing, bus, bank emulator), signatures trusted from a test CA, and Chromium.
 * The consumer is played through the front's HTTP API, as the cabinet SPA would call it; the employee
 * through the back-office SPA that cabinet-back serves at `/`.
 */
export interface BackOfficeBench {
  stack: CabinetStack;
  url: string;
  browser: Browser;
  root: Issued;
  close(): Promise<void>;
}

export const PASSWORD = 'BackOffice-2026!';

export async function startBench(): Promise<BackOfficeBench> {
  ensureWebBuild('back-office');
  const root = await createRoot('CN=Back Office Test Root CA, O=Test');
  const stack = await startCabinetStack({ trustedRoots: [root.der], consumers: 4 });
  const browser = await launchBrowser();
  return {
    stack,
    url: stack.backUrl,
    browser,
    root,
    close: async () => {
      await browser.close();
      await stack.close();
    },
  };
}

const TEXT = {
  ru: { login: 'Логин', password: 'Пароль', submit: 'Войти', code: 'Код из приложения', recovery: 'Нет телефона? Войти по резервному коду', recoveryCode: 'Резервный код', start: 'Подключить приложение', confirm: 'Подтвердить код', next: 'Продолжить работу' },
  en: { login: 'Login', password: 'Password', submit: 'Log in', code: 'Code from the app', recovery: 'No phone? Use a recovery code', recoveryCode: 'Recovery code', start: 'Set up the app', confirm: 'Confirm the code', next: 'Continue' },
};
/** Authenticators the browser enrolled (the API logins' ones are kept by the kernel's loginWithTotp). */
const enrolled = new Map<string, { secret: string; lastStep: number; recoveryCodes: string[] }>();

function proofFor(bench: BackOfficeBench, login: string): { code: string } | { recoveryCode: string } {
  const entry = enrolled.get(login);
  if (!entry) return nextTotpProof(bench.stack.back, login);
  const step = Math.max(totpStep(), entry.lastStep + 1);
  if (step <= totpStep() + 1) return (entry.lastStep = step), { code: totpCode(entry.secret, step) };
  return { recoveryCode: entry.recoveryCodes.pop()! };
}

/**
 * Logs in through the login form (in English when asked) and waits for the shell. Where two-factor
 * login is on, types the authenticator's code (computed from the secret this test enrolled) or, on a
 * first login, enrols an authenticator in the page the way a person would (key shown → code typed →
 * recovery codes shown → continue). `atStep` runs at each step (screenshots, accessibility).
 */
export async function loginAs(bench: BackOfficeBench, login: string, options: { phone?: boolean; lang?: 'en'; atStep?: (page: Page, step: 'code' | 'enrol' | 'recovery') => Promise<void> } = {}): Promise<Page> {
  const text = TEXT[options.lang ?? 'ru'];
  const page = await openPage(bench.browser, { phone: options.phone, timeoutMs: 30_000 });
  await page.goto(bench.url);
  if (options.lang === 'en') await page.getByRole('button', { name: 'English' }).click();
  await page.getByLabel(text.login, { exact: true }).fill(login);
  await page.getByLabel(text.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: text.submit, exact: true }).click();
  const shell = page.locator('.shell');
  const code = page.getByLabel(text.code, { exact: true });
  const enrol = page.getByRole('button', { name: text.start });
  await shell.or(code).or(enrol).first().waitFor();
  if (await code.isVisible()) {
    await options.atStep?.(page, 'code');
    const proof = proofFor(bench, login);
    if ('code' in proof) await code.fill(proof.code);
    else {
      await page.getByRole('button', { name: text.recovery }).click();
      await page.getByLabel(text.recoveryCode, { exact: true }).fill(proof.recoveryCode);
    }
    await page.getByRole('button', { name: text.submit, exact: true }).click();
  } else if (await enrol.isVisible()) {
    await enrol.click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await options.atStep?.(page, 'enrol');
    const step = totpStep();
    await page.getByLabel(text.code, { exact: true }).fill(totpCode(secret, step));
    await page.getByRole('button', { name: text.confirm }).click();
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    enrolled.set(login, { secret, lastStep: step, recoveryCodes: (await codes.locator('code').allTextContents()).map((c) => c.trim()) });
    await options.atStep?.(page, 'recovery');
    await page.getByRole('button', { name: text.next }).click();
  }
  await shell.waitFor();
  return page;
}

/** A request the UI would not make, from the logged-in page with its session cookie and CSRF token. */
export async function forced(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: { code?: string } }> {
  const csrf = (await page.context().cookies()).find((c) => c.name === 'backoffice_csrf')?.value ?? '';
  const response = await page.request.fetch(new URL(url, page.url()).toString(), {
    method,
    headers: { 'x-csrf-token': decodeURIComponent(csrf), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { data: JSON.stringify(body) }),
  });
  return { status: response.status(), body: (await response.json().catch(() => ({}))) as { code?: string } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field, as a client would
export type Call = (method: 'GET' | 'POST', url: string, payload?: unknown) => Promise<{ statusCode: number; json: () => any; body: string; rawPayload: Buffer }>;

/** An API session on one of the stack's apps (the consumer on the front; an employee on the back, with two-factor login where it is on). */
export async function session(app: HttpApp, login: string, password: string, remoteAddress: string): Promise<Call> {
  const { cookies, csrf } = await loginWithTotp(app, { login, password }, { remoteAddress });
  return (method, url, payload) => app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

/** A consumer registered in the cabinet by a one-time code, logged in. */
export async function registerConsumer(stack: CabinetStack, email: string, password: string, displayName: string): Promise<Call> {
  const start = await stack.front.inject({ method: 'POST', url: '/auth/register', payload: { email }, remoteAddress: '10.20.0.1' });
  expect(start.statusCode, start.body).toBeLessThan(300);
  const confirm = await stack.front.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code: stack.otp.lastCodeFor(email), password, displayName } });
  expect(confirm.statusCode, confirm.body).toBe(201);
  return session(stack.front, email, password, '10.20.0.2');
}

/**
 * The current screen at desktop (1366) and phone (390) width, after an axe check at each width:
 * back-office-<screen>-desktop.png and -phone.png ($TMPDIR/back-office-screenshots; docs/screenshots
 * with UPDATE_SCREENSHOTS=1). The page is resized for the phone shot and put back.
 */
export async function checkScreen(page: Page, screen: string) {
  const size = page.viewportSize() ?? { width: 1366, height: 850 };
  await axeCheck(page);
  await saveScreenshot(page, 'back-office-screenshots', `back-office-${screen}-desktop`);
  await page.setViewportSize({ width: 390, height: 844 });
  await axeCheck(page);
  await saveScreenshot(page, 'back-office-screenshots', `back-office-${screen}-phone`);
  await page.setViewportSize(size);
}
