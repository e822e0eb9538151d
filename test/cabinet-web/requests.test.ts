import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employeeSession, pdfBytes, type Employee } from './employee.js';
import { apiCall, axeCheck, expectNoSideScrollOnPhone, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

/**
 * Requests (обращения) in the browser: a consumer writes one with a file, the supplier's employee
 * answers it with a file through the back office's API, and the answer appears in the cabinet's
 * thread; a meter replacement goes as its typed form (old meter's final and new meter's initial
 * readings per zone) and reaches the back office so.
 */
let bench: CabinetWebBench;
let employee: Employee;
beforeAll(async () => {
  bench = await startCabinetWeb();
  employee = await employeeSession(bench.stack.backUrl);
}, 600_000);
afterAll(async () => bench?.close());

describe('cabinet in the browser: requests', () => {
  it('files a request with an attachment, refuses a wrong file before upload, and reads the back office answer with its file', async () => {
    const { page } = await registerAndLogin(bench);
    await linkContract(bench, page);
    await page.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Обращения' }).click();
    await page.getByRole('heading', { name: 'Обращения', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Новое обращение' }).click();
    await page.getByRole('heading', { name: 'Новое обращение' }).waitFor();

    await page.locator('select[name="kind"]').selectOption('support');
    await page.getByText('PDF, PNG, JPEG, DOCX или XLSX; файл до 4 МБ').waitFor();
    await page.getByLabel('Тема').fill('Не скачивается счёт');
    await page.getByLabel('Текст *').fill('Нажимаю «PDF» — ничего не происходит.');
    // A file of a type not taken is refused in the page, before anything is sent.
    await page.getByLabel('Выбрать файлы').setInputFiles({ name: 'virus.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    await page.getByRole('alert').filter({ hasText: /virus\.exe.*такой тип файла не принимается/ }).waitFor();
    await page.getByLabel('Выбрать файлы').setInputFiles({ name: 'Снимок экрана.pdf', mimeType: 'application/pdf', buffer: pdfBytes('снимок') });
    await page.getByRole('list', { name: 'Приложенные файлы' }).getByText('Снимок экрана.pdf').waitFor();
    await axeCheck(page);
    await expectNoSideScrollOnPhone(page);
    await screenshots(page, 'requests-new');
    await page.getByRole('button', { name: 'Отправить обращение' }).click();

    await page.getByRole('heading', { name: 'Не скачивается счёт' }).waitFor();
    expect(await page.getByTestId('request-status').textContent()).toBe('Новое');
    const requestId = page.url().split('/').pop()!;

    // The employee takes it and answers with a file, in the back office.
    await waitFor(async () => (await employee.call('GET', '/api/back-office/requests?kind=support')).body.items.some((r: { id: string }) => r.id === requestId), { what: 'request in the back-office queue', timeoutMs: 60_000 });
    const inBack = (await employee.call('GET', `/api/back-office/requests/${requestId}`)).body;
    expect(inBack.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['Снимок экрана.pdf']);
    expect((await employee.call('POST', `/api/back-office/requests/${requestId}/take`, {})).status).toBe(200);
    const answered = await employee.call('POST', `/api/back-office/requests/${requestId}/answer`, { text: 'Исправили, скачайте снова. Инструкция во вложении.', attachments: [{ fileName: 'Инструкция.pdf', contentBase64: pdfBytes('инструкция').toString('base64') }] });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);

    // The cabinet shows it without a reload: the status, the answer and its file.
    await page.getByTestId('message-supplier').getByText('Исправили, скачайте снова.').waitFor({ timeout: 60_000 });
    await page.getByTestId('request-status').filter({ hasText: 'Получен ответ' }).waitFor();
    const link = page.getByTestId('message-supplier').getByRole('link', { name: 'Инструкция.pdf' });
    const file = await apiCall<null>(page, 'GET', (await link.getAttribute('href'))!);
    expect(file.status).toBe(200);
    await axeCheck(page);
    await expectNoSideScrollOnPhone(page);
    await screenshots(page, 'requests');

    // The consumer closes it; the list shows it closed.
    await page.getByRole('button', { name: 'Закрыть обращение' }).click();
    await page.getByTestId('request-status').filter({ hasText: 'Закрыто' }).waitFor();
    await page.getByRole('link', { name: '← Все обращения' }).click();
    await page.getByRole('row').filter({ hasText: 'Не скачивается счёт' }).getByText('Закрыто').waitFor();
    await axeCheck(page);
    await expectNoSideScrollOnPhone(page);
  }, 300_000);

  it('sends a meter replacement as its typed form, in English, and the back office gets the readings per zone', async () => {
    const { page } = await registerAndLogin(bench, { lang: 'en' });
    await linkContract(bench, page);
    await page.goto(`${bench.url}/requests/new?kind=meter_replacement`);
    await page.getByRole('heading', { name: 'New request' }).waitFor();
    const point = page.getByLabel('Metering point *');
    await waitFor(async () => (await point.locator('option').count()) > 1 || undefined, { what: 'metering points listed' });
    await point.selectOption({ index: 1 });
    const meter = page.getByLabel('Meter removed *');
    await waitFor(async () => (await meter.locator('option').count()) > 1 || undefined, { what: 'meters listed' });
    await meter.selectOption({ index: 1 });
    await page.getByLabel('Replacement date *').fill(bench.stack.today);
    const finals = page.locator('input[name^="final."]');
    await finals.first().waitFor();
    const zones = await finals.count();
    for (let i = 0; i < zones; i++) await finals.nth(i).fill(String(40000 + i));
    await page.getByLabel("New meter's serial number *").fill('NEW-778899');
    await page.getByLabel("New meter's model *").fill('Меркурий 230');
    await page.getByLabel('Digits (whole part) *').fill('6');
    const initials = page.locator('input[name^="initial."]');
    for (let i = 0; i < zones; i++) await initials.nth(i).fill('0,5');
    await axeCheck(page);
    await expectNoSideScrollOnPhone(page);
    await page.getByRole('button', { name: 'Send the request' }).click();

    await page.getByRole('heading', { name: 'Meter replacement' }).waitFor();
    await page.getByText("New meter's serial number").waitFor();
    await expectNoSideScrollOnPhone(page);
    const requestId = page.url().split('/').pop()!;
    const inBack = await waitFor(async () => {
      const answer = await employee.call('GET', `/api/back-office/requests/${requestId}`);
      return answer.status === 200 ? answer.body : undefined;
    }, { what: 'meter replacement in the back office', timeoutMs: 60_000 });
    expect(inBack.kind).toBe('meter_replacement');
    expect(inBack.fields.newMeter).toMatchObject({ serial: 'NEW-778899', model: 'Меркурий 230', digits: 6 });
    expect(inBack.fields.newMeter.initialReadings).toHaveLength(zones);
    expect(inBack.fields.newMeter.initialReadings[0].value).toBe('0.5');
    expect(inBack.fields.oldMeter.finalReadings.map((r: { value: string }) => r.value)).toEqual(Array.from({ length: zones }, (_, i) => String(40000 + i)));
  }, 300_000);

  it('a request with long unbroken words (subject, text, file name) reads on a phone without scrolling sideways', async () => {
    const { page } = await registerAndLogin(bench);
    const word = 'Длинноеслововтемеобращениябезединогопробелакотороененавидитузкийэкран';
    const file = await apiCall<{ id: string }>(page, 'POST', '/api/attachments', { fileName: `${word}.pdf`, contentBase64: pdfBytes('длинное имя').toString('base64') });
    expect(file.status, JSON.stringify(file.body)).toBeLessThan(300);
    const created = await apiCall<{ id: string }>(page, 'POST', '/api/requests', { kind: 'free_form', subject: word, text: `${word} ${word}`, fields: {}, attachmentIds: [file.body.id] });
    expect(created.status, JSON.stringify(created.body)).toBeLessThan(300);
    await page.goto(`${bench.url}/requests/${created.body.id}`);
    await page.getByRole('heading', { name: word }).waitFor();
    await page.getByRole('link', { name: `${word}.pdf` }).waitFor();
    await expectNoSideScrollOnPhone(page);
    await page.getByRole('link', { name: '← Все обращения' }).click();
    await page.getByRole('row').filter({ hasText: word }).waitFor();
    await expectNoSideScrollOnPhone(page);
  }, 300_000);
});
