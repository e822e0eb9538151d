import { totpCode, totpStep } from '@app/kernel';
import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { employeeSession } from './employee.js';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

let bench: CabinetWebBench;
beforeAll(async () => {
  bench = await startCabinetWeb();
}, 600_000);
afterAll(async () => bench?.close());

/** The invitation link's token from the last letter the stack's RecordingNotifier captured for an address. */
const tokenFrom = (to: string) => {
  const letter = [...bench.stack.mail.sent].reverse().find((m) => m.to === to);
  return letter ? /\/invitations\/accept\?token=([A-Za-z0-9_-]{20,})/.exec(letter.text)?.[1] : undefined;
};

describe('cabinet in the browser: representatives of a consumer', () => {
  it('an invited representative without "pay" cannot pay (no button, 403 from the API), gets it when the owner changes the rights, loses access when revoked; the history shows their actions', async () => {
    const owner = await registerAndLogin(bench, { name: 'Ольга Владелец' });
    await linkContract(bench, owner.page);
    const contract = (await apiCall<{ items: { id: string; consumerRef: string }[] }>(owner.page, 'GET', '/api/contracts')).body.items[0]!;

    // Invite by e-mail with "submit readings" (view always), not "pay".
    await owner.page.goto(`${bench.url}/security`);
    const repEmail = `rep-${Date.now().toString(36)}@cabinet-web.test`;
    await owner.page.getByLabel('Эл. почта представителя').fill(repEmail);
    await owner.page.getByLabel('передача показаний').check();
    await owner.page.getByRole('button', { name: 'Отправить приглашение' }).click();
    await owner.page.getByText('Приглашение отправлено по почте').waitFor();
    const token = await waitFor(() => tokenFrom(repEmail), { what: 'the invitation letter' });

    // The invitee registers with that address and accepts by the link.
    const rep = await registerAndLogin(bench, { email: repEmail, name: 'Пётр Представитель' });
    await rep.page.goto(`${bench.url}/invitations/accept?token=${token}`);
    await rep.page.getByRole('button', { name: 'Принять приглашение' }).click();
    await rep.page.getByText('Готово. Ваши права: просмотр, передача показаний').waitFor();

    // Money: the debt is shown, but no pay button; a payment forced through the API is refused.
    await rep.page.goto(`${bench.url}/money`);
    await rep.page.getByTestId('debt').waitFor();
    await rep.page.getByTestId('no-right-pay').getByText('У вас нет права «оплата» для этого потребителя').waitFor();
    expect(await rep.page.getByRole('button', { name: 'Оплатить картой' }).count()).toBe(0);
    await axeCheck(rep.page);
    await screenshots(rep.page, 'representative-no-pay');
    await rep.page.goto(`${bench.url}/money/invoices`);
    await rep.page.getByTestId('no-right-pay').waitFor();
    expect(await rep.page.getByRole('button', { name: 'Оплатить выбранные' }).count()).toBe(0);
    const forced = await apiCall<{ code: string }>(rep.page, 'POST', '/api/payments/orders', { contractId: contract.id, idempotencyKey: crypto.randomUUID() });
    expect(forced.status).toBe(403);

    // A representative's action (readings, which they may send) — it goes into the history.
    const meter = (await apiCall<{ items: { id: string; zones: string[]; lastReadings: { zone: string; value: string }[] }[] }>(rep.page, 'GET', '/api/meters?limit=200')).body.items.find((m) => m.lastReadings.length > 0)!;
    const sent = await apiCall(rep.page, 'POST', '/api/readings', {
      readings: meter.lastReadings.map((r) => ({ meterId: meter.id, zone: r.zone, date: bench.stack.today, value: (Number(r.value) + 10).toFixed(2) })),
    });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);

    // The owner's view: the representative with their rights, and what they did.
    await owner.page.reload();
    const members = owner.page.getByRole('list', { name: 'Кто действует от имени потребителя' });
    await members.getByText(repEmail).first().waitFor();
    const history = owner.page.getByRole('table', { name: 'История действий' });
    const repRows = history.locator('tbody tr', { hasText: repEmail });
    await repRows.filter({ hasText: 'передал показания' }).first().waitFor();
    await repRows.filter({ hasText: 'принял приглашение' }).first().waitFor();
    expect(await repRows.filter({ hasText: 'представитель' }).count()).toBeGreaterThanOrEqual(2);
    await owner.page.getByLabel('Чьи действия').selectOption(repEmail);
    expect(await history.locator('tbody tr').count()).toBe(await repRows.count());
    await owner.page.getByLabel('Чьи действия').selectOption({ label: 'Все' });
    await axeCheck(owner.page);

    // The contract's page has its own history: the representative's readings there, consumer-wide actions not.
    await owner.page.goto(`${bench.url}/contracts/${contract.id}`);
    const contractHistory = owner.page.getByRole('table', { name: 'История действий по договору' });
    await contractHistory.locator('tbody tr', { hasText: repEmail }).filter({ hasText: 'передал показания' }).first().waitFor();
    expect(await contractHistory.locator('tbody tr', { hasText: 'принял приглашение' }).count()).toBe(0);
    await axeCheck(owner.page);
    await screenshots(owner.page, 'contract-history');

    // An agreement to the contract: the representative (no "sign") is told so and offered no way to sign; the owner is.
    const employee = await employeeSession(bench.stack.backUrl);
    const issued = await employee.call('POST', '/api/back-office/contracts/D-000001/agreements', { title: 'Соглашение о порядке оплаты', allowSimpleSignature: true });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const agreement = `${bench.url}/documents/${issued.body.id as string}`;
    await waitFor(async () => (await apiCall(rep.page, 'GET', `/api/documents/${issued.body.id as string}`)).status === 200 || undefined, { what: 'the agreement in the front', timeoutMs: 90_000 });
    await rep.page.goto(agreement);
    await rep.page.getByTestId('no-right-sign').getByText('У вас нет права «подписание»').waitFor();
    expect(await rep.page.getByTestId('document-contract').textContent()).toBe('D-000001');
    expect(await rep.page.getByRole('link', { name: 'Открыть заявку' }).count()).toBe(0); // an agreement has no application
    for (const name of ['Отправить подпись', 'Получить код']) expect(await rep.page.getByRole('button', { name }).count()).toBe(0);
    await axeCheck(rep.page);
    await screenshots(rep.page, 'representative-no-sign', { only: 'phone' });
    expect((await apiCall<{ code: string }>(rep.page, 'POST', `/api/documents/${issued.body.id as string}/simple-signature`, {})).body.code).toBe('right_required');
    await owner.page.goto(agreement);
    await owner.page.getByRole('heading', { name: 'Подписать документ' }).waitFor();
    expect(await owner.page.getByTestId('no-right-sign').count()).toBe(0);
    await owner.page.goto(`${bench.url}/security`);

    // The owner gives "pay" and takes "submit readings": the representative now has the pay button, not the readings form.
    const rights = owner.page.getByRole('group', { name: `Права ${repEmail}` });
    await rights.getByLabel('оплата').check();
    await rights.getByLabel('передача показаний').uncheck();
    await owner.page.getByRole('button', { name: `Сохранить права ${repEmail}` }).click();
    await members.locator('li', { hasText: repEmail }).getByText(/представитель — просмотр, оплата/).waitFor();
    await owner.page.getByRole('table', { name: 'История действий' }).getByText('изменил права представителя').first().waitFor();
    await screenshots(owner.page, 'representatives');
    await rep.page.goto(`${bench.url}/money`);
    await rep.page.getByRole('button', { name: 'Оплатить картой' }).waitFor();
    await rep.page.goto(`${bench.url}/readings`);
    await rep.page.getByTestId('no-right-submit_readings').getByText('У вас нет права «передача показаний»').waitFor();
    expect(await rep.page.getByRole('button', { name: 'Передать показания' }).count()).toBe(0);
    await rep.page.goto(`${bench.url}/readings/upload`);
    await rep.page.getByTestId('no-right-submit_readings').waitFor();
    expect(await rep.page.getByRole('button', { name: 'Загрузить' }).count()).toBe(0);
    expect((await apiCall(rep.page, 'POST', '/api/readings', { readings: [{ meterId: meter.id, zone: meter.lastReadings[0]!.zone, date: bench.stack.today, value: '1' }] })).status).toBe(403);

    // Revoked: the representative sees nothing of the consumer any more, in the page and in the API.
    await owner.page.getByRole('button', { name: `Отозвать доступ у ${repEmail}` }).click();
    await waitFor(async () => (await members.getByText(repEmail).count()) === 0 || undefined, { what: 'representative gone from the list' });
    await rep.page.goto(`${bench.url}/money`);
    await rep.page.getByText('К кабинету не привязан ни один договор.').waitFor();
    expect((await apiCall<{ items: unknown[] }>(rep.page, 'GET', '/api/contracts')).body.items).toEqual([]);
    expect((await apiCall(rep.page, 'GET', `/api/contracts/${contract.id}/account`)).status).toBe(404);
    expect((await apiCall(rep.page, 'POST', '/api/payments/orders', { contractId: contract.id, idempotencyKey: crypto.randomUUID() })).status).toBeGreaterThanOrEqual(403);
    await owner.page.reload();
    await owner.page.getByRole('table', { name: 'История действий' }).getByText('отозвал доступ представителя').first().waitFor();
    // The representative's own actions stay in the history after they are gone.
    await owner.page.getByRole('table', { name: 'История действий' }).locator('tbody tr', { hasText: repEmail }).filter({ hasText: 'передал показания' }).first().waitFor();
  });

  it('an invitation not yet accepted is withdrawn; two-factor recovery codes are issued anew with a current code', async () => {
    const owner = await registerAndLogin(bench, { lang: 'en' });
    await linkContract(bench, owner.page, 'D-000002', 'DEMO-2026-02');
    await owner.page.goto(`${bench.url}/security`);
    const email = `late-${Date.now().toString(36)}@cabinet-web.test`;
    await owner.page.getByLabel("Representative's e-mail").fill(email);
    await owner.page.getByRole('button', { name: 'Send the invitation' }).click();
    const pending = owner.page.getByRole('list', { name: 'Waiting to be accepted' });
    await pending.getByText(email).waitFor();
    await owner.page.getByRole('button', { name: `Withdraw the invitation of ${email}` }).click();
    await waitFor(async () => (await owner.page.getByText(email).count()) === 0 || undefined, { what: 'invitation gone' });
    const token = tokenFrom(email)!;
    const late = await registerAndLogin(bench, { email });
    const accepted = await apiCall<{ code: string }>(late.page, 'POST', '/api/invitations/accept', { token });
    expect(accepted).toMatchObject({ status: 404, body: { code: 'invitation_not_found' } });

    // Two-factor on, then new recovery codes: ten, none of the first ones.
    await owner.page.getByRole('button', { name: 'Turn on two-factor login' }).click();
    const secret = (await owner.page.getByTestId('totp-secret').textContent())!;
    await owner.page.getByLabel('Code from the app').fill(totpCode(secret));
    await owner.page.getByRole('button', { name: 'Confirm' }).click();
    const codes = owner.page.getByRole('list', { name: 'Recovery codes' });
    await codes.waitFor();
    const first = await codes.getByRole('listitem').allTextContents();
    expect(first).toHaveLength(10);
    await owner.page.getByText('On. Recovery codes left: 10').waitFor();
    await owner.page.getByLabel('Current code (from the app or a recovery code)').fill(first[0]!);
    await owner.page.getByRole('button', { name: 'Issue new recovery codes' }).click();
    await waitFor(async () => {
      const now = await codes.getByRole('listitem').allTextContents();
      return (now.length === 10 && !now.includes(first[0]!) && now) || undefined;
    }, { what: 'new recovery codes shown' });
    const second = await codes.getByRole('listitem').allTextContents();
    expect(second.filter((c) => first.includes(c))).toEqual([]);
    await axeCheck(owner.page);
    await screenshots(owner.page, 'security-recovery-codes', { only: 'desktop' });
    // A code of the app works too (the next step's: the one used at enrolment cannot be replayed).
    await owner.page.getByLabel('Current code (from the app or a recovery code)').fill(totpCode(secret, totpStep() + 1));
    await owner.page.getByRole('button', { name: 'Issue new recovery codes' }).click();
    await waitFor(async () => {
      const now = await codes.getByRole('listitem').allTextContents();
      return (now.length === 10 && !now.includes(second[0]!)) || undefined;
    }, { what: 'third set of recovery codes' });
  });
});
