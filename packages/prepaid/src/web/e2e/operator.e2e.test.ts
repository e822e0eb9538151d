import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, screenshot, startBench, type Bench } from './harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
}, 240_000); // migrations and demo data on PGlite take long on a loaded box
afterAll(async () => bench?.close());

describe('workplace in the browser: operator', () => {
  it('finds a client by phone, edits the card, binds, blocks and re-issues a card, blocks the account, subscribes to SMS, reads the statement and own actions', async () => {
    const page = await loginAs(bench, 'operator');
    await expect(page.getByRole('heading', { name: 'Поиск клиента' })).toBeTruthy();
    await page.getByLabel('ФИО, номер счёта, идентификатор или телефон').fill('+79161234502');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('link', { name: 'Петров Сергей Иванович' }).click();
    await page.getByRole('heading', { name: 'Петров Сергей Иванович' }).waitFor();
    await screenshot(page, 'operator-client-card');

    // Edit the e-mail.
    const details = page.getByRole('form', { name: 'Данные клиента' });
    await details.getByLabel('Эл. почта').fill('petrov.new@example.test');
    await details.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Сохранено').waitFor();

    // Bind a QR code, then block the card and re-issue it.
    await page.getByLabel('Тип').last().selectOption('qr');
    await page.getByLabel('Значение').fill('QR-PETROV-0000000001');
    await page.getByRole('button', { name: 'Привязать' }).click();
    await page.getByText('QR-PETROV-0000000001').waitFor();
    const cardRow = page.getByRole('row').filter({ hasText: '04A1B2C3D4E502' });
    await cardRow.getByRole('button', { name: 'Перевыпустить' }).click();
    await page.getByLabel('Новый идентификатор').fill('04A1B2C3D4E5FF');
    await page.getByRole('form', { name: 'Перевыпустить' }).getByRole('button', { name: 'Перевыпустить' }).click();
    await page.getByText('04A1B2C3D4E5FF').waitFor();
    await page.getByRole('row').filter({ hasText: '04A1B2C3D4E502' }).getByText('заблокирован (утерян)').waitFor();

    // Unbind the QR code (confirm dialog).
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('row').filter({ hasText: 'QR-PETROV-0000000001' }).getByRole('button', { name: 'Отвязать' }).click();
    await page.getByRole('row').filter({ hasText: 'QR-PETROV-0000000001' }).getByText('отвязан').waitFor();

    // Block and unblock the account.
    await page.getByRole('button', { name: 'Заблокировать счёт' }).click();
    await page.getByRole('button', { name: 'Разблокировать счёт' }).click();
    await page.getByRole('button', { name: 'Заблокировать счёт' }).waitFor();

    // Subscribe to SMS purchase notices.
    await page.locator('input[name="sms-purchases"]').check();
    await expect.poll(async () => page.locator('input[name="sms-purchases"]').isChecked()).toBe(true);

    // Statement: the demo credits and purchases.
    await page.getByRole('button', { name: 'Выписка', exact: true }).click();
    await page.getByRole('cell', { name: 'Пополнение' }).first().waitFor();
    expect(await page.getByRole('cell', { name: 'Покупка' }).count()).toBeGreaterThanOrEqual(3);

    // Own actions in the journal.
    await page.getByRole('link', { name: 'Журнал действий' }).click();
    await page.getByRole('heading', { name: 'Мои действия' }).waitFor();
    for (const action of ['Перевыпущен идентификатор', 'Привязан идентификатор', 'Счёт заблокирован', 'Изменены данные клиента']) await page.getByRole('cell', { name: action }).first().waitFor();
    await screenshot(page, 'operator-own-actions');
  });

  it('is refused a screen it does not have, and an action: the menu omits them, the API answers 403', async () => {
    const page = await loginAs(bench, 'operator');
    const menu = page.getByRole('navigation', { name: 'Меню' });
    expect(await menu.getByRole('link', { name: 'Пользователи и роли' }).count()).toBe(0);
    expect(await menu.getByRole('link', { name: 'Журнал операций' }).count()).toBe(0);
    await page.goto(`${bench.url}/users`);
    await page.getByTestId('access-denied').waitFor();
    expect(await page.getByTestId('access-denied').textContent()).toContain('Нет доступа');
    await screenshot(page, 'operator-refused-users');

    // Directories are read-only for the operator: no create form, and a forged call is refused.
    await page.goto(`${bench.url}/directories/products`);
    await page.getByText('Только просмотр').waitFor();
    expect(await page.getByRole('button', { name: 'Добавить продукт' }).count()).toBe(0);
    const answer = await page.evaluate(async () => {
      // Runs in the page: the browser's document, which this Node-typed file does not know.
      const doc = (globalThis as unknown as { document: { cookie: string } }).document;
      const csrf = doc.cookie.split('; ').find((c) => c.startsWith('prepaid_csrf='))!.split('=')[1]!;
      const r = await fetch('/api/products', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: JSON.stringify({ code: 'hack', name: 'x' }) });
      return { status: r.status, body: await r.json() };
    });
    expect(answer).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('works on a phone: the menu folds, tables become labelled cards', async () => {
    const page = await loginAs(bench, 'operator', { mobile: true });
    await page.getByRole('button', { name: 'Меню' }).click();
    await page.getByRole('link', { name: 'Поиск клиента' }).click();
    await page.getByLabel('ФИО, номер счёта, идентификатор или телефон').fill('Иванова');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('link', { name: 'Иванова Мария Петровна' }).click();
    await page.getByRole('heading', { name: 'Иванова Мария Петровна' }).waitFor();
    await screenshot(page, 'operator-client-card-phone');
  });

  it('switches to English', async () => {
    const page = await loginAs(bench, 'operator', { lang: 'en' });
    await page.getByRole('heading', { name: 'Find a client' }).waitFor();
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Поиск клиента' }).waitFor();
  });
});
