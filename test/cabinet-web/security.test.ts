import { demoBackOfficeStaff } from '@app/cabinet-back';
import { totpCode, totpStep } from '@app/kernel';
import { loginWithTotp, waitFor } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { axeCheck, linkContract, newPage, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 600_000);
afterAll(async () => bench?.close());

const tokenFrom = (to: string) => {
  const letter = [...bench.stack.mail.sent].reverse().find((m) => m.to === to);
  return letter ? /token=([A-Za-z0-9_-]{20,})/.exec(letter.text)?.[1] : undefined;
};

describe('cabinet in the browser: security — representatives, staff visits, two-factor login', () => {
  it('an owner invites a representative who accepts by the e-mailed link; the owner revokes; a support visit shows; 2FA on and used at login', async () => {
    const owner = await registerAndLogin(bench, { name: 'Ольга Владелец' });
    await linkContract(bench, owner.page);
    await owner.page.goto(`${bench.url}/security`);
    await owner.page.getByRole('heading', { name: 'Безопасность и доступ' }).waitFor();
    await owner.page.getByRole('heading', { name: 'Кто действует от имени потребителя' }).waitFor();
    await axeCheck(owner.page);

    // Invite with "submit readings".
    const repEmail = `rep-${Date.now().toString(36)}@cabinet-web.test`;
    await owner.page.getByLabel('Эл. почта представителя').fill(repEmail);
    await owner.page.getByLabel('передача показаний').check();
    await owner.page.getByRole('button', { name: 'Отправить приглашение' }).click();
    await owner.page.getByText('Приглашение отправлено по почте').waitFor();
    await owner.page.getByRole('list', { name: 'Ожидают принятия' }).getByText(repEmail).waitFor();
    const token = await waitFor(() => tokenFrom(repEmail), { what: 'invitation e-mail' });

    // The representative registers and opens the link.
    const rep = await registerAndLogin(bench, { email: repEmail, name: 'Пётр Представитель' });
    await rep.page.goto(`${bench.url}/invitations/accept?token=${token}`);
    await rep.page.getByRole('button', { name: 'Принять приглашение' }).click();
    await rep.page.getByText('Готово. Ваши права: просмотр, передача показаний').waitFor();

    await owner.page.reload();
    const members = owner.page.getByRole('list', { name: 'Кто действует от имени потребителя' });
    await members.getByText(repEmail).waitFor();
    await owner.page.getByRole('table', { name: 'История действий' }).getByText('принял приглашение').waitFor();
    await screenshots(owner.page, 'security');
    await owner.page.getByRole('button', { name: `Отозвать доступ у ${repEmail}` }).click();
    await waitFor(async () => (await members.getByText(repEmail).count()) === 0, { what: 'representative gone from the list' });
    const contracts = (await rep.page.evaluate(async () => (await fetch('/api/contracts')).json())) as { items: unknown[] };
    expect(contracts.items).toEqual([]);

    // A support employee (password + TOTP in the back office) opens the cabinet read-only.
    const contract = (await owner.page.evaluate(async () => ((await (await fetch('/api/contracts')).json()) as { items: unknown[] }).items[0])) as { consumerRef: string };
    const support = await loginWithTotp(bench.stack.backUrl, demoBackOfficeStaff.find((u) => u.login === 'support')!);
    const grant = await fetch(`${bench.stack.backUrl}/api/back-office/support/grants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': support.csrf, cookie: Object.entries(support.cookies).map(([k, v]) => `${k}=${v}`).join('; ') },
      body: JSON.stringify({ consumerRef: contract.consumerRef, reason: 'Звонок: помочь с показаниями' }),
    });
    expect(grant.status).toBe(201);
    const { token: supportToken } = (await grant.json()) as { token: string };
    const visitor = await newPage(bench);
    await waitFor(async () => (await sql`select 1 from support_grants`.execute(bench.stack.frontDb.db)).rows.length > 0, { what: 'the grant came over the bus' });
    await visitor.goto(`${bench.url}/auth/support/enter?token=${supportToken}`);
    await visitor.locator('.shell').waitFor();
    await owner.page.reload();
    const visits = owner.page.getByRole('table', { name: 'Кто из сотрудников заходил в мой кабинет' });
    await visits.getByText('Специалист поддержки').waitFor();
    await visits.getByText('Звонок: помочь с показаниями').waitFor();

    // Two-factor login on: the secret is shown once, a code confirms it, recovery codes appear.
    await owner.page.getByRole('button', { name: 'Включить двухфакторный вход' }).click();
    const secret = (await owner.page.getByTestId('totp-secret').textContent())!;
    await owner.page.getByLabel('Код из приложения').fill(totpCode(secret));
    await owner.page.getByRole('button', { name: 'Подтвердить' }).click();
    await owner.page.getByRole('list', { name: 'Резервные коды' }).waitFor();
    expect(await owner.page.getByRole('list', { name: 'Резервные коды' }).getByRole('listitem').count()).toBe(10);
    await owner.page.getByRole('button', { name: 'Выйти' }).click();
    await owner.page.getByLabel('Эл. почта или телефон').fill(owner.login);
    await owner.page.getByLabel('Пароль', { exact: true }).fill(owner.password);
    await owner.page.getByRole('button', { name: 'Войти' }).click();
    await owner.page.getByRole('heading', { name: 'Код подтверждения' }).waitFor();
    await axeCheck(owner.page);
    await owner.page.getByLabel('Код из приложения-аутентификатора').fill(totpCode(secret, totpStep() + 1));
    await owner.page.getByRole('button', { name: 'Войти' }).click();
    await owner.page.getByRole('heading', { name: 'Главная' }).waitFor();
  });

  it('works at phone width and in English', async () => {
    const { page } = await registerAndLogin(bench, { phone: true, lang: 'en' });
    await page.goto(`${bench.url}/security`);
    await page.getByRole('heading', { name: 'Security and access' }).waitFor();
    await page.getByRole('button', { name: 'Turn on two-factor login' }).waitFor();
    await axeCheck(page);
    await screenshots(page, 'security-empty', { only: 'phone' });
  });
});
