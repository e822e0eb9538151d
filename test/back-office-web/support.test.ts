import { ensureWebBuild, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCall, axeCheck as cabinetAxe, linkContract, newPage, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from '../cabinet-web/harness.js';
import { axeCheck, checkScreen, forced, loginAs, type BackOfficeBench } from './harness.js';

/**
 * Support "act as consumer" (issue 11, point 5) in two real browsers over the whole cabinet (front
 * serving the cabinet SPA, back serving the back office, billing, the bus): a consumer writes a request
 * about their contract; an employee without the support role sees no button on its card and the API
 * refuses them; the support employee (password + TOTP) opens the consumer's cabinet from the card with a
 * reason, follows the one-time link, sees the cabinet read-only and a reading they try to send is refused
 * (403 read_only_session, said in the page); the consumer then sees who looked and when.
 */
vi.setConfig({ testTimeout: 180_000 });

let cabinet: CabinetWebBench;
let office: BackOfficeBench;
let consumerRef = '';

beforeAll(async () => {
  ensureWebBuild('back-office');
  cabinet = await startCabinetWeb();
  office = { stack: cabinet.stack, url: cabinet.stack.backUrl, browser: cabinet.browser, root: undefined as never, close: () => cabinet.close() };
}, 600_000);
afterAll(async () => cabinet?.close());

interface Meter {
  id: string;
  kind: string;
  zones: string[];
  fractionDigits: number;
  lastReadings: { zone: string; value: string }[];
}

describe('back office (web): support opens a consumer cabinet read-only; the consumer sees it', () => {
  it('from the request card, with a reason; read-only in the cabinet; the visit shown to the consumer', async () => {
    const consumer = await registerAndLogin(cabinet, { name: 'Анна Потребителева' });
    await linkContract(cabinet, consumer.page);
    const contract = (await apiCall<{ items: Array<{ id: string; consumerRef: string }> }>(consumer.page, 'GET', '/api/contracts')).body.items[0]!;
    consumerRef = contract.consumerRef;
    const created = await apiCall<{ id: string }>(consumer.page, 'POST', '/api/requests', {
      kind: 'correct_details',
      subject: 'Не вижу счёт за прошлый месяц',
      text: 'В кабинете нет счёта, помогите разобраться.',
      fields: { contractId: contract.id, detail: 'Счёт', correctValue: 'Счёт за прошлый месяц должен быть виден' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    // An employee without the support role: no button on the card, and the API refuses them too.
    const employee = await loginAs(office, 'employee');
    const requestUrl = `${office.url}/requests/${created.body.id}`;
    await waitFor(async () => (await forced(employee, 'GET', `/api/back-office/requests/${created.body.id}`)).status === 200 || undefined, { what: 'the request in the back', timeoutMs: 90_000 });
    await employee.goto(requestUrl);
    await employee.getByRole('heading', { name: /Не вижу счёт за прошлый месяц/ }).waitFor();
    expect(await employee.getByRole('button', { name: 'Открыть кабинет потребителя' }).count()).toBe(0);
    const refused = await forced(employee, 'POST', '/api/back-office/support/grants', { consumerRef: contract.consumerRef, reason: 'просто посмотреть' });
    expect(refused.status).toBe(403);
    await employee.goto(`${office.url}/support`);
    await employee.getByTestId('access-denied').waitFor();
    await employee.close();

    // The support employee opens the cabinet from the request card, saying why.
    const support = await loginAs(office, 'support');
    await support.goto(requestUrl);
    await support.getByRole('button', { name: 'Открыть кабинет потребителя' }).click();
    const reason = support.getByLabel('Причина');
    await reason.fill('Звонок: не видит счёт');
    await checkScreen(support, 'support-grant');
    await support.getByRole('button', { name: 'Получить ссылку' }).click();
    const link = support.getByTestId('support-link');
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${cabinet.url}/auth/support/enter\\?token=[A-Za-z0-9_-]{40,}$`));
    await support.getByText(/Ссылка одноразовая/).waitFor();

    // The journal on the support screen lists it.
    await support.getByRole('link', { name: 'Кабинеты потребителей' }).click();
    const row = support.getByRole('row').filter({ hasText: 'Звонок: не видит счёт' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Специалист поддержки');
    await checkScreen(support, 'support');

    // The link, in the support employee's browser: the cabinet, read-only.
    await waitFor(async () => (await sql`select 1 from support_grants`.execute(cabinet.stack.frontDb.db)).rows.length > 0 || undefined, { what: 'the grant came over the bus', timeoutMs: 60_000 });
    const look = await newPage(cabinet);
    await look.goto(href);
    await look.locator('.shell').waitFor();
    await look.getByTestId('read-only-banner').filter({ hasText: 'Специалист поддержки' }).waitFor();
    const meters = (await apiCall<{ items: Meter[] }>(look, 'GET', '/api/meters?limit=200')).body.items;
    const meter = meters.find((m) => m.kind === 'integral' && m.zones.length > 0 && m.lastReadings.length === m.zones.length)!;
    expect(meter, 'the demo contract has an integral meter with readings').toBeDefined();
    // The session has the view right only: the readings screen offers no form (as to a representative
    // without the right), and a write forced through the API is refused by the kernel.
    await look.goto(`${cabinet.url}/readings?meter=${encodeURIComponent(meter.id)}`);
    await look.getByTestId('no-right-submit_readings').waitFor();
    expect(await look.getByLabel(`Показание, зона ${meter.zones[0]}`).count()).toBe(0);
    await cabinetAxe(look);
    await screenshots(look, 'support-read-only');
    const write = await apiCall<{ code: string }>(look, 'POST', '/api/readings', { readings: [{ meterId: meter.id, zone: meter.zones[0], date: cabinet.stack.today, value: '1' }] });
    expect(write).toMatchObject({ status: 403, body: { code: 'read_only_session' } });
    expect((await apiCall<{ items: unknown[] }>(look, 'GET', '/api/readings?limit=5')).status).toBe(200);
    // The link worked once.
    const again = await newPage(cabinet);
    const second = await again.request.get(href, { maxRedirects: 0 });
    expect(second.status()).toBe(401);
    await look.close();
    await again.close();

    // The consumer sees that support looked: when and who, on every screen until closed, and on Security.
    await consumer.page.goto(`${cabinet.url}/`);
    const notice = consumer.page.getByTestId('support-visit-notice');
    await notice.filter({ hasText: 'Специалист поддержки' }).waitFor();
    expect(await notice.textContent()).toMatch(/\d{2}\.\d{2}\.\d{4}/);
    await cabinetAxe(consumer.page);
    await screenshots(consumer.page, 'support-visit-notice');
    await consumer.page.goto(`${cabinet.url}/security`);
    const visits = consumer.page.getByRole('table', { name: 'Кто из сотрудников заходил в мой кабинет' });
    await visits.getByText('Специалист поддержки').waitFor();
    await visits.getByText('Звонок: не видит счёт').waitFor();
    await consumer.page.getByRole('button', { name: 'Понятно' }).click();
    await waitFor(async () => (await notice.count()) === 0 || undefined, { what: 'the notice closed' });
    await consumer.page.reload();
    await consumer.page.getByRole('heading', { name: 'Безопасность и доступ' }).waitFor();
    expect(await notice.count()).toBe(0);
  });

  it('in English, for a supervisor (who holds the support role): the support screen by billing code, the journal', async () => {
    expect(consumerRef).not.toBe('');
    const page = await loginAs(office, 'supervisor', { lang: 'en' });
    await page.getByRole('link', { name: "Consumers' cabinets" }).click();
    await page.getByRole('heading', { name: "Consumers' cabinets" }).waitFor();
    await page.getByRole('table', { name: 'Looks at cabinets' }).getByText('Звонок: не видит счёт').waitFor();
    await page.getByLabel('Consumer billing code').fill(consumerRef);
    await page.getByRole('button', { name: "Open the consumer's cabinet" }).click();
    await page.getByLabel('Reason').fill('Checking the invoice with the consumer');
    await page.getByRole('button', { name: 'Get the link' }).click();
    await page.getByTestId('support-link').filter({ hasText: 'Open the cabinet (new tab)' }).waitFor();
    await page.getByText(/The link works once/).waitFor();
    await page.getByRole('table', { name: 'Looks at cabinets' }).getByText('Checking the invoice with the consumer').waitFor();
    // A consumer without a cabinet: said in English, by its code.
    await page.getByLabel('Consumer billing code').fill('no-such-consumer');
    await page.getByRole('button', { name: "Open the consumer's cabinet" }).click();
    await page.getByLabel('Reason').fill('A call');
    await page.getByRole('button', { name: 'Get the link' }).click();
    await page.getByRole('alert').filter({ hasText: 'This consumer has no cabinet: no contract is linked' }).waitFor();
    await axeCheck(page);
    await page.close();
  });
});
