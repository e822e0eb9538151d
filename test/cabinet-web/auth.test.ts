import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { axeCheck, loginAs, newPage, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 480_000);
afterAll(async () => bench?.close());

describe('cabinet in the browser: registration, login, recovery, logout', { timeout: 300_000 }, () => {
  it('registers by e-mail with a one-time code, lands on the home page, logs out and in again', async () => {
    const page = await newPage(bench);
    await page.goto(bench.url);
    // Russian by default; the login form first, accessible.
    await page.getByRole('heading', { name: 'Вход в личный кабинет' }).waitFor();
    await axeCheck(page);
    await screenshots(page, 'login');
    await page.getByRole('link', { name: 'Зарегистрироваться' }).click();
    await page.getByRole('heading', { name: 'Регистрация' }).waitFor();
    await axeCheck(page);

    const { login, password } = await registerAndLogin(bench, { page });
    await page.getByRole('heading', { name: 'Главная' }).waitFor();
    expect(await page.getByTestId('who').textContent()).toBe('Иванов Иван Иванович');
    await page.getByText('К кабинету ещё не привязан ни один договор.').waitFor();

    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('heading', { name: 'Вход в личный кабинет' }).waitFor();
    // A wrong password is refused with the catalogue's words; the right one logs in.
    await page.getByLabel('Эл. почта или телефон').fill(login);
    await page.getByLabel('Пароль', { exact: true }).fill('Wrong-password-1');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('alert').filter({ hasText: 'Неверный логин или пароль' }).waitFor();
    await page.getByLabel('Пароль', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('heading', { name: 'Главная' }).waitFor();
  });

  it('shows a wrong code and a mismatched password before anything is created', async () => {
    const page = await newPage(bench);
    await page.goto(`${bench.url}/register`);
    await page.getByLabel('Эл. почта или телефон').fill('wrong-code@cabinet-web.test');
    await page.getByRole('button', { name: 'Получить код' }).click();
    await page.getByLabel('Код из сообщения').fill('000000');
    await page.getByLabel('Пароль', { exact: true }).fill('Long-enough-2026');
    await page.getByLabel('Пароль ещё раз').fill('Long-enough-2027');
    await page.getByText('Пароли не совпадают').waitFor();
    await page.getByLabel('Пароль ещё раз').fill('Long-enough-2026');
    const real = bench.stack.otp.lastCodeFor('wrong-code@cabinet-web.test');
    if (real === '000000') await page.getByLabel('Код из сообщения').fill('000001');
    await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await page.getByRole('alert').filter({ hasText: 'Неверный код' }).waitFor();
  });

  it('recovers a forgotten password with a code to the e-mail, in English', async () => {
    const { login } = await registerAndLogin(bench);
    const page = await newPage(bench, { lang: 'en' });
    await page.goto(`${bench.url}/login`);
    await page.getByRole('heading', { name: 'Log in to the cabinet' }).waitFor();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('E-mail or phone').fill(login);
    await page.getByRole('button', { name: 'Get a code' }).click();
    await page.getByLabel('Code from the message').waitFor();
    const code = bench.stack.otp.messages.filter((m) => m.to.value === login && m.kind === 'reset').at(-1)?.code;
    expect(code).toMatch(/^\d{6}$/);
    await page.getByLabel('Code from the message').fill(code!);
    await page.getByLabel('Password', { exact: true }).fill('Recovered-2026!');
    await page.getByLabel('Password again').fill('Recovered-2026!');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await page.getByText('The password has been changed. Log in with the new one.').waitFor();
    await axeCheck(page);
    const again = await loginAs(bench, login, 'Recovered-2026!', { lang: 'en' });
    await again.getByRole('heading', { name: 'Home' }).waitFor();
  });

  it('works on a phone: the menu opens from its button', async () => {
    const { page } = await registerAndLogin(bench, { phone: true });
    const menu = page.getByRole('navigation', { name: 'Меню' });
    expect(await menu.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Меню' }).click();
    await menu.getByRole('link', { name: 'Главная' }).waitFor();
    expect(await page.getByRole('button', { name: 'Меню' }).getAttribute('aria-expanded')).toBe('true');
    await axeCheck(page);
  });
});
