import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 300_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 480_000);
afterAll(async () => bench?.close());

describe('cabinet in the browser: linking and browsing contracts', { timeout: 300_000 }, () => {
  it('links a contract by its number and secret (a wrong secret refused), then shows it with objects, points and meters', async () => {
    const { page } = await registerAndLogin(bench);
    await page.getByRole('link', { name: 'Привязать договор' }).first().click();
    await page.getByRole('heading', { name: 'Привязка договора' }).waitFor();

    // A wrong secret: billing refuses, the reason is shown in the list.
    await page.getByLabel('Номер договора').fill('D-000001');
    await page.getByLabel('Код привязки').fill('NOT-THE-SECRET');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.getByTestId('link-D-000001').filter({ hasText: 'код привязки не подходит' }).waitFor({ timeout: 60_000 });

    // The second send goes as a DOM click: on this loaded box Playwright's real click/Enter on the
    // second submit of the form waited for its input acknowledgement past any timeout (the page itself
    // stayed responsive and the form was sent); see the report of issue 9.
    await page.getByLabel('Код привязки').fill('DEMO-2026-01');
    await page.getByRole('button', { name: 'Отправить' }).dispatchEvent('click');
    await page.getByText('договор привязан').waitFor({ timeout: 60_000 });
    await axeCheck(page);
    await screenshots(page, 'link-contract');

    // The contract list: the link is accepted before billing's data of the contract (the back's snapshot)
    // reaches the front, so the list says it is on its way and asks again by itself until it is there —
    // no reload. (A reload-then-count poll never saw it on a loaded PostgreSQL: the page's load event came
    // before the list's answer, and the count did not wait for it.)
    // The first answer of the list is held to what it is before the snapshot has come (none), as the front
    // answers a consumer who follows the link at once; later ones go through.
    let held = 0;
    await page.route('**/api/contracts?*', async (route) => {
      if (held++ > 0) return route.continue();
      await route.fulfill({ json: { items: [], total: 0, limit: 100, offset: 0 } });
    });
    await page.getByRole('link', { name: 'Перейти к договорам' }).click();
    await page.getByRole('heading', { name: 'Договоры' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'данные ещё поступают из биллинга: D-000001' }).waitFor();
    // The snapshot carries a year of hourly data and the invoices' PDFs: under the full suite it takes its time.
    await page.getByRole('link', { name: 'D-000001' }).waitFor({ timeout: 150_000 });
    expect(await page.getByRole('status').filter({ hasText: 'D-000001' }).count()).toBe(0);
    await page.unroute('**/api/contracts?*');
    await axeCheck(page);
    await page.getByRole('link', { name: 'D-000001' }).click();
    await page.getByRole('heading', { name: 'Договор D-000001' }).waitFor();
    await page.getByRole('heading', { name: 'Объекты энергоснабжения' }).waitFor();
    expect(await page.getByRole('link', { name: /^Точка учёта / }).count()).toBeGreaterThanOrEqual(2);
    await axeCheck(page);
    await screenshots(page, 'contract');

    // A meter's card: dial, ratio, zones, verification; the interval meter leads to its consumption.
    const meterLink = page.getByRole('table').first().getByRole('link').first();
    const serial = (await meterLink.textContent())!;
    await meterLink.click();
    await page.getByRole('heading', { name: `Прибор учёта № ${serial}` }).waitFor();
    await page.getByText('Коэфф. трансформации').waitFor();
    await page.getByText('Следующая поверка').waitFor();
    await axeCheck(page);
    await screenshots(page, 'meter');

    // Home at a glance now shows the consumer's debt or its absence, and the latest invoices.
    await page.getByRole('link', { name: 'Главная' }).click();
    await page.getByTestId('debt').waitFor();
    await page.getByRole('heading', { name: 'Последние счета' }).waitFor();
    await axeCheck(page);
    await screenshots(page, 'home');
  });

  it('links by a request to the supplier: it waits for the back office', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en' });
    await page.goto(`${bench.url}/contracts/link`);
    await page.getByRole('button', { name: 'By a request to the supplier' }).click();
    await page.getByLabel('Contract number').fill('D-000002');
    await page.getByLabel('Consumer (organisation or full name)').fill('Петров Пётр Петрович');
    await page.getByLabel('INN').fill('12345');
    await page.getByText('An INN is 10 or 12 digits').waitFor();
    await page.getByLabel('INN').fill('');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('The request has been sent to the supplier.').waitFor();
    await page.getByTestId('link-D-000002').filter({ hasText: 'pending' }).waitFor();
  });

  it("does not show another consumer's contract or meter: the page says not found", async () => {
    // B links D-000002; A (with D-000001) asks for B's contract and meter by their ids.
    const b = await registerAndLogin(bench);
    await linkContract(bench, b.page, 'D-000002', 'DEMO-2026-02');
    const bContracts = await apiCall<{ items: { id: string }[] }>(b.page, 'GET', '/api/contracts');
    const bMeters = await apiCall<{ items: { id: string }[] }>(b.page, 'GET', '/api/meters');
    const contractId = bContracts.body.items[0]!.id;
    const meterId = bMeters.body.items[0]!.id;

    const a = await registerAndLogin(bench);
    await linkContract(bench, a.page, 'D-000001', 'DEMO-2026-01');
    await a.page.goto(`${bench.url}/contracts/${encodeURIComponent(contractId)}`);
    await a.page.getByTestId('not-found').waitFor();
    expect(await a.page.getByTestId('not-found').textContent()).toContain('Договор не найден');
    expect(await a.page.getByText('D-000002').count()).toBe(0);
    await a.page.goto(`${bench.url}/meters/${encodeURIComponent(meterId)}`);
    await a.page.getByTestId('not-found').filter({ hasText: 'Прибор учёта не найден' }).waitFor();
    await axeCheck(a.page);
    await screenshots(a.page, 'not-found', { only: 'desktop' });
    // B itself sees it.
    await b.page.goto(`${bench.url}/contracts/${encodeURIComponent(contractId)}`);
    await b.page.getByRole('heading', { name: 'Договор D-000002' }).waitFor();
  });
});
