import { randomBytes } from 'node:crypto';
import { issue, opensslSign } from '@app/cabinet-front/testing';
import { waitFor } from '@app/kernel/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeCheck, checkScreen, forced, loginAs, PASSWORD, registerConsumer, session, startBench, type BackOfficeBench, type Call } from './harness.js';

/**
 * The back office in a real browser against the whole cabinet (front, back, billing over the bus): an
 * employee works a contract application from the queue to a signed contract while the consumer plays
 * their part through the front's API (answers a question, signs the contract with a CMS signature of a
 * test CA), answers a request with a file; roles without the rights are refused a screen and an action;
 * the English texts; no serious accessibility violations on the main screens, at desktop and phone width.
 */
let bench: BackOfficeBench;
let consumer: Call;
let employeeApi: Call;
let page: Page;
const email = `bo-${randomBytes(3).toString('hex')}@consumer.test`;
const organisation = { kind: 'organisation', name: 'ООО «Теплица-Север»', inn: '7705550022', ogrn: '1157746000022', email: 'office@teplica.test' };
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n${text}\n%%EOF`);
const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);
const LONG = { timeout: 60_000 };

beforeAll(async () => {
  bench = await startBench();
  consumer = await registerConsumer(bench.stack, email, 'Teplica-Strong-Pass-2026', 'Ирина Теплицына');
  employeeApi = await session(bench.stack.back, 'employee', PASSWORD, '10.21.0.1');
}, 600_000);

afterAll(async () => {
  await bench?.close();
});

describe('back office (web): application to signed contract, a request, roles, English, accessibility', () => {
  let applicationId: string;

  it('shows the login in Russian; the employee logs in and sees the consumer’s application in the queue', async () => {
    const upload = await consumer('POST', '/api/attachments', { fileName: 'Выписка ЕГРЮЛ.pdf', contentBase64: pdf('выписка').toString('base64') });
    expect(upload.statusCode, upload.body).toBe(201);
    const draft = await consumer('POST', '/api/applications', { applicant: organisation, objectAddress: 'г. Вологда, ул. Парниковая, 7', requestedPowerKw: '95.5', attachmentIds: [upload.json().id] });
    expect(draft.statusCode, draft.body).toBe(201);
    applicationId = draft.json().id;
    expect((await consumer('POST', `/api/applications/${applicationId}/submit`)).json().status).toBe('submitted');
    await waitFor(async () => (await employeeApi('GET', '/api/back-office/applications')).json().items?.some((a: { id: string }) => a.id === applicationId), { what: 'application in the back', timeoutMs: 60_000 });

    const login = await (await bench.browser.newContext({ viewport: { width: 1366, height: 850 } })).newPage();
    await login.goto(bench.url);
    await login.getByRole('heading', { name: 'Вход в бэк-офис' }).waitFor();
    expect(await login.getAttribute('html', 'lang')).toBe('ru');
    await checkScreen(login, 'login');
    await login.getByLabel('Логин', { exact: true }).fill('employee');
    await login.getByLabel('Пароль', { exact: true }).fill('wrong-password');
    await login.getByRole('button', { name: 'Войти' }).click();
    await login.getByRole('alert').filter({ hasText: 'Неверный логин или пароль' }).waitFor();
    await login.close();

    // Two-factor login where it is on: the code step (this employee enrolled through the API above).
    page = await loginAs(bench, 'employee', { atStep: async (p, step) => { if (step === 'code') await checkScreen(p, 'login-code'); } });
    await page.getByRole('heading', { name: 'Заявки на договор' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/applications');
    await page.getByTestId('billing-status').filter({ hasText: 'Биллинг на связи' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: organisation.name });
    await row.waitFor();
    expect(await row.textContent()).toContain('подана');
    // The server filters: another status hides it, "submitted" shows it.
    await page.getByLabel('Статус').selectOption('signed');
    await page.getByText('Ничего не найдено').waitFor();
    await page.getByLabel('Статус').selectOption('submitted');
    await row.waitFor();
    await checkScreen(page, 'applications');
  }, 240_000);

  it('takes the application, asks for information with a file; the consumer answers in the cabinet and the card shows it', async () => {
    await page.getByRole('link', { name: organisation.name }).click();
    await page.getByRole('heading', { name: `Заявка на договор: ${organisation.name}` }).waitFor();
    await page.getByText('95.5 кВт').first().waitFor();
    // The applicant's file downloads.
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать Выписка ЕГРЮЛ.pdf' }).click()]);
    expect(file.suggestedFilename()).toBe('Выписка ЕГРЮЛ.pdf');

    await page.getByRole('button', { name: 'Взять в работу' }).click();
    await page.locator('.badge').filter({ hasText: 'на рассмотрении' }).waitFor();
    await page.getByLabel('Текст сообщения').fill('Приложите однолинейную схему.');
    await page.locator('input[type=file]').setInputFiles({ name: 'Образец схемы.png', mimeType: 'image/png', buffer: png() });
    await page.getByRole('button', { name: 'Запросить сведения' }).click();
    await page.locator('.badge').filter({ hasText: 'нужны сведения' }).waitFor();
    await page.locator('.message').filter({ hasText: 'Приложите однолинейную схему.' }).filter({ hasText: 'Образец схемы.png' }).waitFor();

    const asked = await waitFor(async () => {
      const v = (await consumer('GET', `/api/applications/${applicationId}`)).json();
      return v.status === 'needs_info' && v.messages.length === 1 && v;
    }, { what: 'the question in the cabinet', timeoutMs: 60_000 });
    expect(asked.messages[0]).toMatchObject({ author: 'supplier', text: 'Приложите однолинейную схему.', attachments: [{ fileName: 'Образец схемы.png' }] });
    const scheme = await consumer('POST', '/api/attachments', { fileName: 'Схема.pdf', contentBase64: pdf('схема').toString('base64') });
    expect((await consumer('POST', `/api/applications/${applicationId}/messages`, { text: 'Схема во вложении.', attachmentIds: [scheme.json().id] })).statusCode).toBe(201);

    await page.locator('.message').filter({ hasText: 'Схема во вложении.' }).filter({ hasText: 'Схема.pdf' }).waitFor(LONG);
    await page.locator('.badge').filter({ hasText: 'на рассмотрении' }).waitFor(LONG);
  }, 180_000);

  it('issues the contract PDF; after the consumer signs it with a certificate the card shows who signed, when, and the report', async () => {
    await page.getByRole('button', { name: 'Выпустить PDF' }).click();
    await page.getByRole('status').filter({ hasText: /Документ ДЭ-\d{4}-\d{6} выпущен/ }).waitFor(LONG);
    await page.locator('.badge').filter({ hasText: 'договор на подписи' }).waitFor();
    const [issued] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать PDF' }).click()]);
    expect(issued.suggestedFilename()).toMatch(/^ДЭ-\d{4}-\d{6}\.pdf$/);
    await page.getByText('Ещё не подписан').waitFor();

    const view = await waitFor(async () => {
      const v = (await consumer('GET', `/api/applications/${applicationId}`)).json();
      return v.status === 'contract_issued' && v.documents.length === 1 && v;
    }, { what: 'the contract in the cabinet', timeoutMs: 60_000 });
    const documentId = view.documents[0].id as string;
    const bytes = (await consumer('GET', `/api/documents/${documentId}/pdf`)).rawPayload;
    const ca = await issue(bench.root, 'CN=BO Issuing CA, O=Test', { ca: true });
    const director = await issue(ca, `CN=Директор Теплица-Север, O=ООО Теплица-Север, 1.2.643.100.4=${organisation.inn}, 1.2.643.100.1=${organisation.ogrn}`, { alg: 'ecdsa' });
    const signed = await consumer('POST', `/api/documents/${documentId}/signatures`, { signatureBase64: opensslSign(bytes, director, [ca]).toString('base64') });
    expect(signed.statusCode, signed.body).toBe(201);

    const report = page.locator('.signature').filter({ hasText: 'Ирина Теплицына' });
    await report.waitFor(LONG);
    await page.locator('.badge').filter({ hasText: 'договор подписан' }).first().waitFor(LONG);
    const text = (await report.textContent()) ?? '';
    expect(text).toContain('подпись верна');
    expect(text).toContain('Директор Теплица-Север');
    expect(text).toContain(organisation.inn);
    expect(text).toContain('цепочка до доверенного корня');
    expect(text).toContain('ecdsa');
    await checkScreen(page, 'application');

    await page.getByRole('link', { name: 'Подписи' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Ирина Теплицына' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Отчёт о проверке' }).click();
    await page.getByRole('heading', { name: 'Отчёт о проверке' }).waitFor();
    expect(await page.locator('.checks').textContent()).toContain('хэш документа');
    await checkScreen(page, 'signatures');
  }, 180_000);

  it('answers a typed request with a file; the consumer gets the answer and the file', async () => {
    const created = await consumer('POST', '/api/requests', { kind: 'support', subject: 'Не приходит счёт', text: 'Счёт за март не пришёл на почту.', fields: {} });
    expect(created.statusCode, created.body).toBe(201);
    const requestId = created.json().id as string;
    await waitFor(async () => (await employeeApi('GET', '/api/back-office/requests')).json().items?.some((r: { id: string }) => r.id === requestId), { what: 'request in the back', timeoutMs: 60_000 });

    await page.getByRole('link', { name: 'Обращения' }).click();
    await page.getByLabel('Тип обращения').selectOption('support');
    await page.getByRole('link', { name: 'Не приходит счёт' }).click();
    await page.getByRole('heading', { name: 'Техническая поддержка: Не приходит счёт' }).waitFor();
    await page.getByText('Счёт за март не пришёл на почту.').waitFor();
    await page.getByRole('button', { name: 'Взять в работу' }).click();
    await page.locator('.badge').filter({ hasText: 'в работе' }).waitFor();
    await page.getByLabel('Текст сообщения').fill('Счёт отправлен повторно, копия во вложении.');
    await page.locator('input[type=file]').setInputFiles({ name: 'Счёт-март.pdf', mimeType: 'application/pdf', buffer: pdf('счёт') });
    await page.getByRole('button', { name: 'Ответить', exact: true }).click();
    await page.locator('.badge').filter({ hasText: 'дан ответ' }).waitFor();
    await page.locator('.message').filter({ hasText: 'Счёт отправлен повторно' }).filter({ hasText: 'Счёт-март.pdf' }).waitFor();
    await checkScreen(page, 'request');

    const answered = await waitFor(async () => {
      const v = (await consumer('GET', `/api/requests/${requestId}`)).json();
      return v.status === 'answered' && v.messages.length === 1 && v;
    }, { what: 'the answer in the cabinet', timeoutMs: 60_000 });
    expect(answered.messages[0]).toMatchObject({ author: 'supplier', attachments: [{ fileName: 'Счёт-март.pdf', mediaType: 'application/pdf' }] });
    const file = await consumer('GET', `/api/attachments/${answered.messages[0].attachments[0].id}`);
    expect(file.rawPayload.toString()).toContain('счёт');

    await page.getByRole('link', { name: 'Обращения' }).click();
    await page.getByRole('row').filter({ hasText: 'Не приходит счёт' }).waitFor();
    await checkScreen(page, 'requests');
    await page.getByRole('link', { name: 'Оплаты картой' }).click();
    await page.getByRole('heading', { name: 'Оплаты картой' }).waitFor();
    await checkScreen(page, 'payments');
    await page.getByRole('link', { name: 'Привязка договоров' }).click();
    await page.getByRole('heading', { name: 'Привязка договоров' }).waitFor();
    await axeCheck(page);
  }, 180_000);

  it('refuses a screen and an action to a role without the rights, in the UI and on the server', async () => {
    // The employee has no user admin: no menu item, "no access" on the screen, 403 on a forced request.
    expect(await page.getByRole('link', { name: 'Пользователи' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Неприменимые команды' }).count()).toBe(0);
    await page.goto(`${bench.url}/users`);
    await page.getByTestId('access-denied').filter({ hasText: 'администратор' }).waitFor();
    await checkScreen(page, 'denied');
    const create = await forced(page, 'POST', '/api/staff/users', { login: 'intruder', displayName: 'X', password: 'Intruder-2026!', roles: ['admin'] });
    expect(create).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    await page.goto(`${bench.url}/dead-commands`);
    await page.getByTestId('access-denied').waitFor();

    // The admin manages users only: the queues are refused, and so is taking an application into work.
    // A first login where two-factor login is required enrols an authenticator in the page.
    const admin = await loginAs(bench, 'admin', { atStep: async (p, step) => { if (step === 'enrol') await checkScreen(p, 'totp-enrol'); } });
    await admin.getByRole('heading', { name: 'Пользователи' }).waitFor();
    expect(new URL(admin.url()).pathname).toBe('/users');
    await admin.getByRole('row').filter({ hasText: 'supervisor' }).waitFor();
    await checkScreen(admin, 'users');
    await admin.goto(`${bench.url}/applications/${applicationId}`);
    await admin.getByTestId('access-denied').waitFor();
    expect(await forced(admin, 'POST', `/api/back-office/applications/${applicationId}/take`, {})).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    // What the admin may do works: a new employee account.
    await admin.goto(`${bench.url}/users`);
    await admin.getByLabel('Логин', { exact: true }).fill('operator2');
    await admin.getByLabel('Имя', { exact: true }).fill('Второй специалист');
    await admin.getByLabel('Пароль', { exact: true }).fill('Vtoroy-Strong-Pass-2026');
    await admin.getByRole('button', { name: 'Создать пользователя' }).click();
    await admin.getByRole('row').filter({ hasText: 'operator2' }).waitFor();
    await admin.getByRole('button', { name: 'Выйти' }).click();
    await admin.getByRole('heading', { name: 'Вход в бэк-офис' }).waitFor();
    expect((await forced(admin, 'GET', '/api/staff/users')).status).toBe(401);
  }, 180_000);

  it('speaks English when chosen: a supervisor sees the queues and the dead commands screen', async () => {
    const sup = await loginAs(bench, 'supervisor', { lang: 'en' });
    await sup.getByRole('heading', { name: 'Contract applications' }).waitFor();
    expect(await sup.getAttribute('html', 'lang')).toBe('en');
    await sup.getByRole('row').filter({ hasText: organisation.name }).filter({ hasText: 'contract signed' }).waitFor();
    await sup.getByRole('link', { name: 'Dead commands' }).click();
    await sup.getByRole('heading', { name: 'Dead commands' }).waitFor();
    await axeCheck(sup);
    await sup.getByLabel('Language').selectOption('ru');
    await sup.getByRole('heading', { name: 'Неприменимые команды' }).waitFor();
  }, 120_000);
});
