import { createRoot, issue, opensslSign, type Issued } from '@app/cabinet-front/testing';
import { waitFor } from '@app/kernel/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employeeSession, pdfBytes, type Employee } from './employee.js';
import { axeCheck, expectNoSideScrollOnPhone, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

/**
 * From an application to a signed contract in the browser: the consumer applies for a supply contract
 * with a file, the supplier's employee (back-office API) asks for information, the consumer answers in
 * the thread, the employee issues the contract, and the consumer signs its PDF with detached CMS files
 * made by the test CA — a signature over an altered document and one by another organisation's
 * certificate are refused with their reasons, the director's is accepted and shown with its
 * verification. An additional agreement is then signed through the browser plug-in interface and one
 * by a one-time code.
 */
let bench: CabinetWebBench;
let employee: Employee;
let root: Issued;
let intermediate: Issued;
const organisation = { name: 'ООО «Светлый путь»', inn: '7701234567', ogrn: '1027701234567' };

beforeAll(async () => {
  root = await createRoot('CN=Browser Test Root CA, O=Test');
  intermediate = await issue(root, 'CN=Browser Test Issuing CA, O=Test', { ca: true });
  bench = await startCabinetWeb({ trustedRoots: [root.der] });
  employee = await employeeSession(bench.stack.backUrl);
}, 600_000);
afterAll(async () => bench?.close());

async function signatureFile(page: Page, signature: Buffer, name = 'договор.pdf.sig') {
  await page.getByLabel('Файл подписи').setInputFiles({ name, mimeType: 'application/pkcs7-signature', buffer: signature });
  await page.getByRole('button', { name: 'Отправить подпись' }).click();
}

describe('cabinet in the browser: contract application, documents and signatures', () => {
  let page: Page;
  let email: string;
  let applicationId: string;

  it('applies for a contract with a document; the employee asks for information; the consumer answers in the thread', async () => {
    ({ page, login: email } = await registerAndLogin(bench, { name: 'Петров Пётр Петрович' }));
    await page.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Заявки на договор' }).click();
    await page.getByRole('link', { name: 'Новая заявка' }).click();
    await page.getByRole('heading', { name: 'Заявка на договор энергоснабжения' }).waitFor();
    await page.getByLabel('Организация или ИП').check();
    await page.getByLabel('Наименование организации *').fill(organisation.name);
    await page.getByLabel('ИНН *').fill(organisation.inn);
    await page.getByLabel('ОГРН / ОГРНИП *').fill(organisation.ogrn);
    await page.getByLabel('Адрес объекта *').fill('г. Тула, ул. Металлистов, 12');
    await page.getByLabel('Запрашиваемая мощность, кВт *').fill('120,5');
    await page.getByLabel('Выбрать файлы').setInputFiles({ name: 'Выписка ЕГРЮЛ.pdf', mimeType: 'application/pdf', buffer: pdfBytes('выписка') });
    await page.getByRole('list', { name: 'Приложенные файлы' }).getByText('Выписка ЕГРЮЛ.pdf').waitFor();
    await axeCheck(page);
    await expectNoSideScrollOnPhone(page);
    await screenshots(page, 'applications-new');
    await page.getByRole('button', { name: 'Подать заявку' }).click();

    await page.getByTestId('application-status').filter({ hasText: 'Подана' }).waitFor();
    applicationId = page.url().split('/').pop()!;
    await waitFor(async () => (await employee.call('GET', '/api/back-office/applications?status=submitted')).body.items.some((a: { id: string }) => a.id === applicationId), { what: 'application in the back-office queue', timeoutMs: 60_000 });
    const inBack = (await employee.call('GET', `/api/back-office/applications/${applicationId}`)).body;
    expect(inBack).toMatchObject({ applicant: { kind: 'organisation', name: organisation.name, inn: organisation.inn, ogrn: organisation.ogrn }, requestedPowerKw: '120.5', attachments: [{ fileName: 'Выписка ЕГРЮЛ.pdf' }] });
    expect((await employee.call('POST', `/api/back-office/applications/${applicationId}/take`, {})).status).toBe(200);
    const asked = await employee.call('POST', `/api/back-office/applications/${applicationId}/request-info`, { text: 'Приложите однолинейную схему объекта.', attachments: [{ fileName: 'Образец схемы.pdf', contentBase64: pdfBytes('образец').toString('base64') }] });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);

    await page.getByTestId('application-status').filter({ hasText: 'Нужны сведения' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('message-supplier').getByText('Приложите однолинейную схему объекта.').waitFor();
    await page.getByTestId('message-supplier').getByRole('link', { name: 'Образец схемы.pdf' }).waitFor();
    await page.getByLabel('Сообщение').fill('Схема во вложении.');
    await page.getByLabel('Выбрать файлы').setInputFiles({ name: 'Схема.pdf', mimeType: 'application/pdf', buffer: pdfBytes('схема') });
    await page.getByRole('list', { name: 'Приложенные файлы' }).getByText('Схема.pdf').waitFor();
    await page.getByRole('button', { name: 'Отправить', exact: true }).click();
    await page.getByTestId('message-consumer').getByText('Схема во вложении.').waitFor();
    await page.getByTestId('application-status').filter({ hasText: 'На рассмотрении' }).waitFor({ timeout: 60_000 });
    await axeCheck(page);
    await expectNoSideScrollOnPhone(page);
    await screenshots(page, 'applications');
    // The list (its status filter and the table as cards) fits a phone too; back to the application.
    await page.getByRole('navigation', { name: 'Меню' }).getByRole('link', { name: 'Заявки на договор' }).click();
    const row = page.getByRole('row').filter({ hasText: 'г. Тула, ул. Металлистов, 12' });
    await row.waitFor();
    await expectNoSideScrollOnPhone(page);
    await row.getByRole('link', { name: 'г. Тула, ул. Металлистов, 12' }).click();
    await page.getByTestId('application-status').filter({ hasText: 'На рассмотрении' }).waitFor();
  }, 300_000);

  it('the contract issued is refused for an altered document and for another organisation’s certificate, each with its reason, and accepted from the director', async () => {
    const issued = await employee.call('POST', `/api/back-office/applications/${applicationId}/documents`, { kind: 'contract', allowSimpleSignature: false });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    await page.getByTestId('application-status').filter({ hasText: 'Договор на подписи' }).waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Договор энергоснабжения' }).click();
    await page.getByRole('heading', { name: 'Договор энергоснабжения' }).waitFor();
    await page.getByTestId('plugin-absent').waitFor();
    await page.getByText('Простая подпись кодом для этого документа не разрешена').waitFor();
    await axeCheck(page);

    // The PDF exactly as the cabinet serves it (its link on the page): what a signature must cover.
    const href = await page.getByRole('link', { name: /Открыть PDF/ }).getAttribute('href');
    const pdf = Buffer.from(await (await page.request.get(`${bench.url}${href}`)).body());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    const director = await issue(intermediate, `CN=Директор Светлый путь, O=ООО Светлый путь, 1.2.643.100.4=${organisation.inn}, 1.2.643.100.1=${organisation.ogrn}`, { alg: 'ecdsa' });
    await signatureFile(page, opensslSign(Buffer.concat([pdf, Buffer.from('\n% altered')]), director, [intermediate]));
    await page.getByTestId('refusal-reason').filter({ hasText: 'Подпись сделана не для этого документа' }).waitFor();

    const stranger = await issue(intermediate, 'CN=Чужой Директор, O=ООО Чужое, 1.2.643.100.4=7709999999, 1.2.643.100.1=1027709999999');
    await signatureFile(page, opensslSign(pdf, stranger, [intermediate]));
    await page.getByTestId('refusal-reason').filter({ hasText: 'Сертификат выдан не заявителю' }).waitFor();
    await page.getByTestId('signature-refused').getByText('Чужой Директор', { exact: true }).waitFor();
    expect(await page.getByTestId('document-status').textContent()).toBe('Ждёт подписи');
    await axeCheck(page);
    await screenshots(page, 'documents-refused');

    await signatureFile(page, opensslSign(pdf, director, [intermediate]));
    await page.getByTestId('signature-accepted').waitFor();
    await page.getByTestId('signature-accepted').getByText('ECDSA', { exact: false }).first().waitFor();
    await page.getByTestId('document-status').filter({ hasText: 'Подписан' }).waitFor();
    const shown = page.getByTestId('signature');
    await shown.getByText('Петров Пётр Петрович').waitFor();
    await shown.getByText('Директор Светлый путь').waitFor();
    await shown.getByText(organisation.inn, { exact: true }).waitFor();
    await axeCheck(page);
    await screenshots(page, 'documents');

    // The back office has the signature; the application reaches "signed" in the cabinet.
    await waitFor(async () => (await employee.call('GET', `/api/back-office/signatures?applicationId=${applicationId}`)).body.total === 1 || undefined, { what: 'signature in the back office', timeoutMs: 60_000 });
    await page.getByRole('link', { name: 'Открыть заявку' }).click();
    await page.getByTestId('application-status').filter({ hasText: 'Договор подписан' }).waitFor({ timeout: 60_000 });
  }, 300_000);

  it('signs an additional agreement in the page through the CryptoPro plug-in interface, and another with a one-time code', async () => {
    const agreement = await employee.call('POST', `/api/back-office/applications/${applicationId}/documents`, { kind: 'agreement', title: 'Дополнительное соглашение № 1', allowSimpleSignature: false });
    expect(agreement.status, JSON.stringify(agreement.body)).toBe(201);
    const pdf = (await employee.call('GET', `/api/back-office/documents/${agreement.body.id}/pdf`)).bytes;
    const director = await issue(intermediate, `CN=Директор Светлый путь, 1.2.643.100.4=${organisation.inn}, 1.2.643.100.1=${organisation.ogrn}`);
    const signature = opensslSign(pdf, director, [intermediate]).toString('base64');
    // The plug-in is the consumer's software: stood in for by its object model, which signs only the exact bytes it is given.
    await page.addInitScript(
      ({ expected, signature }) => {
        const object = (props: Record<string, unknown>) => props;
        const cert = object({ SubjectName: 'CN=Директор Светлый путь', Thumbprint: 'AB12', ValidToDate: '2027-12-31' });
        let content = '';
        (globalThis as Record<string, unknown>).cadesplugin = Object.assign(Promise.resolve(), {
          CreateObjectAsync: async (name: string) => {
            if (name === 'CAdESCOM.Store') return object({ Open: async () => undefined, Close: async () => undefined, Certificates: object({ Count: 1, Item: async () => cert }) });
            if (name === 'CAdESCOM.CPSigner') return object({ propset_Certificate: async () => undefined });
            return object({ propset_ContentEncoding: async () => undefined, propset_Content: async (c: string) => void (content = c), SignCades: async () => (content === expected ? signature : 'AAAA') });
          },
        });
      },
      { expected: pdf.toString('base64'), signature },
    );
    await page.goto(`${bench.url}/documents/${agreement.body.id}`);
    await page.getByRole('heading', { name: 'Дополнительное соглашение № 1' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('plugin-present').getByRole('button', { name: 'Показать мои сертификаты' }).click();
    await page.getByLabel('Сертификат').selectOption({ index: 0 });
    await page.getByTestId('plugin-present').getByRole('button', { name: 'Подписать' }).click();
    await page.getByTestId('signature-accepted').waitFor();
    await page.getByTestId('document-status').filter({ hasText: 'Подписан' }).waitFor();

    const simple = await employee.call('POST', `/api/back-office/applications/${applicationId}/documents`, { kind: 'agreement', title: 'Дополнительное соглашение № 2', allowSimpleSignature: true });
    expect(simple.status).toBe(201);
    await page.goto(`${bench.url}/documents`);
    await page.getByRole('link', { name: 'Дополнительное соглашение № 2' }).click({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Получить код' }).click();
    await page.getByText(/Код отправлен/).waitFor();
    const code = await waitFor(() => bench.stack.otp.lastCodeFor(email.toLowerCase()), { what: 'signing code' });
    await page.getByLabel('Код из сообщения').fill(code);
    await page.getByRole('button', { name: 'Подписать кодом' }).click();
    await page.getByTestId('signature-accepted').waitFor();
    await page.getByTestId('signature').getByText('Простая подпись (код)', { exact: false }).waitFor();
    await page.goto(`${bench.url}/documents`);
    await page.getByRole('heading', { name: 'Подписанные' }).waitFor();
    await page.getByRole('table', { name: 'Подписанные' }).getByText('Дополнительное соглашение № 2').waitFor();
    await axeCheck(page);
    await screenshots(page, 'documents-list');
  }, 300_000);
});
