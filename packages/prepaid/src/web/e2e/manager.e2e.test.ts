import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forced, loginAs, screenshot, startBench, type Bench } from './harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
}, 240_000); // migrations and demo data on PGlite take long on a loaded box
afterAll(async () => bench?.close());

const cells = (values: string[]) => values.map((v) => v.replace(/\s/g, ' '));

describe('workplace in the browser: manager', () => {
  it('creates a product and edits its limits', async () => {
    const page = await loginAs(bench, 'manager');
    await page.getByRole('link', { name: 'Продукты и лимиты' }).click();
    const create = page.getByRole('form', { name: 'Добавить продукт' });
    await create.getByLabel('Код').fill('snacks');
    await create.getByLabel('Наименование').fill('Снеки');
    await create.getByRole('button', { name: 'Добавить продукт' }).click();
    const row = page.getByRole('row').filter({ hasText: 'snacks' });
    await row.getByRole('cell', { name: 'Снеки' }).waitFor();

    await row.getByRole('button', { name: 'Изменить лимиты' }).click();
    const limits = page.getByRole('form', { name: 'Изменить лимиты' });
    await limits.getByLabel('Лимит в день').fill('500,00');
    await limits.getByLabel('Лимит операции').fill('120.50');
    await limits.getByRole('button', { name: 'Сохранить' }).click();
    await limits.waitFor({ state: 'detached' });
    await expect.poll(async () => cells(await row.locator('td[data-label="Лимит в день"]').allTextContents())).toEqual(['500,00 ₽']);
    expect(cells(await row.locator('td[data-label="Лимит операции"]').allTextContents())).toEqual(['120,50 ₽']);
    expect(cells(await row.locator('td[data-label="Лимит в месяц"]').allTextContents())).toEqual(['—']);
    await screenshot(page, 'manager-products');
  });

  it('adds a merchant, blocks and unblocks it, registers a terminal for it (the secret shown once)', async () => {
    const page = await loginAs(bench, 'manager');
    await page.getByRole('link', { name: 'Торговые точки' }).click();
    const create = page.getByRole('form', { name: 'Добавить точку' });
    await create.getByLabel('Код', { exact: true }).fill('cafe-2');
    await create.getByLabel('Наименование').fill('Кафе на втором этаже');
    await create.getByLabel('Продукты').fill('meals, shop');
    await create.getByRole('button', { name: 'Добавить точку' }).click();
    const row = page.getByRole('row').filter({ hasText: 'cafe-2' });
    await row.getByRole('cell', { name: 'meals, shop' }).waitFor();
    await row.getByRole('button', { name: 'Заблокировать' }).click();
    await row.getByRole('cell', { name: 'заблокирован' }).waitFor();
    await row.getByRole('button', { name: 'Разблокировать' }).click();
    await row.getByRole('cell', { name: 'активен' }).waitFor();
    // The list filters on the server.
    await page.getByLabel('Поиск').fill('втором');
    await expect.poll(() => page.getByRole('table', { name: 'Торговые точки' }).locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'manager-merchants');

    await page.getByRole('link', { name: 'Терминалы' }).click();
    const terminal = page.getByRole('form', { name: 'Зарегистрировать терминал' });
    await terminal.getByLabel('Код').fill('T-CAFE-2');
    await terminal.getByLabel('Торговая точка').selectOption({ label: 'Кафе на втором этаже' });
    await terminal.getByRole('button', { name: 'Зарегистрировать терминал' }).click();
    await page.getByText(/Терминал T-CAFE-2: секрет \S+ — показывается один раз/).waitFor();
    const terminalRow = page.getByRole('row').filter({ hasText: 'T-CAFE-2' });
    await terminalRow.getByRole('cell', { name: 'Кафе на втором этаже' }).waitFor();
    await terminalRow.getByRole('button', { name: 'Заблокировать' }).click();
    await terminalRow.getByRole('cell', { name: 'заблокирован' }).waitFor();
  });

  it('puts a stolen card on the stop-list from the client card and finds it there', async () => {
    const page = await loginAs(bench, 'manager');
    await page.getByLabel('ФИО, номер счёта, идентификатор или телефон').fill('04A1B2C3D4E504');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('link', { name: 'Кузнецов Дмитрий Олегович' }).click();
    await page.getByRole('row').filter({ hasText: '04A1B2C3D4E504' }).getByRole('button', { name: 'Заблокировать' }).click();
    const block = page.getByRole('form', { name: 'Заблокировать' });
    await block.getByLabel('Причина').selectOption('stolen');
    await block.getByRole('button', { name: 'Заблокировать' }).click();
    await page.getByRole('row').filter({ hasText: '04A1B2C3D4E504' }).getByText('заблокирован (украден)').waitFor();

    await page.getByRole('link', { name: 'Стоп-лист' }).click();
    const entry = page.getByRole('row').filter({ hasText: '04A1B2C3D4E504' });
    await entry.getByRole('cell', { name: 'украден' }).waitFor();
    await entry.getByRole('cell', { name: 'Карта СКУД' }).waitFor();
    await screenshot(page, 'manager-stop-list');
  });

  it('adds a staff user, changes the role (it takes effect at the next login) and disables the user', async () => {
    const page = await loginAs(bench, 'manager');
    await page.getByRole('link', { name: 'Пользователи и роли' }).click();
    const create = page.getByRole('form', { name: 'Добавить пользователя' });
    await create.getByLabel('Логин').fill('kassir2');
    await create.getByLabel('Имя').fill('Кассир Второй');
    await create.getByLabel('Пароль').fill('Prepaid-2026!');
    await create.locator('select').selectOption('operator'); // its label also holds the options' text
    await create.getByRole('button', { name: 'Добавить пользователя' }).click();
    const role = page.getByLabel('Роль пользователя kassir2');
    await role.waitFor();
    expect(await role.inputValue()).toBe('operator');

    const asOperator = await loginAs(bench, 'kassir2');
    expect(await asOperator.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Журнал операций' }).count()).toBe(0);
    expect((await forced(asOperator, 'GET', '/api/staff/operations?limit=5')).status).toBe(403);

    await role.selectOption('settlement');
    await expect.poll(async () => (await forced(page, 'GET', '/api/staff/users?q=kassir2&limit=5&offset=0')).body).toMatchObject({ items: [{ login: 'kassir2', roles: ['settlement'] }] });
    const asSettlement = await loginAs(bench, 'kassir2');
    await asSettlement.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Журнал операций' }).waitFor();
    expect((await forced(asSettlement, 'GET', '/api/staff/operations?limit=5')).status).toBe(200);
    await screenshot(page, 'manager-users');

    await page.getByRole('row').filter({ hasText: 'kassir2' }).getByRole('button', { name: 'Отключить' }).click();
    await page.getByRole('row').filter({ hasText: 'kassir2' }).getByRole('cell', { name: 'отключён' }).waitFor();
    const refused = await loginAs(bench, 'kassir2').then(
      () => 'logged in',
      (error: Error) => error.message,
    );
    expect(refused).not.toBe('logged in');
  }, 120_000); // four logins

  it('works in English: the limits screen', async () => {
    const page = await loginAs(bench, 'manager', { lang: 'en' });
    await page.getByRole('link', { name: 'Products and limits' }).click();
    await page.getByRole('heading', { name: 'Products and limits' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'meals' });
    expect(cells(await row.locator('td[data-label="Daily limit"]').allTextContents())).toEqual(['RUB 1,500.00']);
    await row.getByRole('button', { name: 'Edit limits' }).click();
    await page.getByRole('form', { name: 'Edit limits' }).getByLabel('Daily limit').waitFor();
  });
});

describe('workplace in the browser: admin', () => {
  it('manages users but is refused the business screens and actions: no menu item, "no access", 403', async () => {
    const page = await loginAs(bench, 'admin');
    await page.getByRole('heading', { name: 'Пользователи и роли' }).waitFor();
    const menu = page.getByRole('navigation', { name: 'Меню' });
    for (const screen of ['Поиск клиента', 'Журнал операций', 'Реестры', 'Продукты и лимиты']) expect(await menu.getByRole('link', { name: screen, exact: true }).count()).toBe(0);
    await page.goto(`${bench.url}/operations`);
    await page.getByTestId('access-denied').waitFor();
    await page.goto(`${bench.url}/clients`);
    await page.getByTestId('access-denied').waitFor();
    await screenshot(page, 'admin-refused-clients');
    expect(await forced(page, 'GET', '/api/staff/operations?limit=5')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await forced(page, 'POST', '/api/products', { code: 'admin-made', name: 'x' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });
});
