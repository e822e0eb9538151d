import { fastHashingForTests, type HttpApp } from '@app/kernel';
import { createTestRuntime, testConfig, waitFor } from '@app/kernel/testing';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoStaff, seedPrepaidDemo } from '../demo.js';
import { createProduct } from '../directories/directories.repo.js';
import { prepaidMigrations } from '../migrations.js';
import { createPrepaidApp } from '../server.js';
import type { PrepaidDb } from '../tables.js';

let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let app: HttpApp;
const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedPrepaidDemo(runtime.database, fastHashingForTests);
  await createProduct(runtime.database.db as never, { code: 'meals', name: 'Питание' });
  app = await createPrepaidApp(runtime, testConfig, { hashing: fastHashingForTests });
  await app.ready();
  for (const user of demoStaff) {
    const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: user.login, password: user.password } });
    sessions[user.login] = { cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])), csrf: res.json().csrfToken };
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await runtime?.close();
});

const as = (login: string, method: 'GET' | 'POST', url: string, extra: { payload?: Buffer; headers?: Record<string, string> } = {}) =>
  app.inject({ method, url, cookies: sessions[login]!.cookies, headers: { 'x-csrf-token': sessions[login]!.csrf, ...extra.headers }, ...(extra.payload ? { payload: extra.payload } : {}) });

function multipart(fileName: string, content: string | Buffer) {
  const boundary = '----registry-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    typeof content === 'string' ? Buffer.from(content) : content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('registry staff API', () => {
  it('uploads a client registry (number from the file name), previews, applies by settlement, and recognises the file when it comes again', async () => {
    const csv = 'action;client_id;last_name;first_name;products\ncreate;H-1;Хоров;Харитон;meals\ncreate;H-2;;Без;meals\n';
    const upload = await as('operator', 'POST', '/api/staff/registries?kind=clients', multipart('CL-2026-001.csv', csv));
    expect(upload.statusCode).toBe(201);
    const { registry } = upload.json();
    expect(registry).toMatchObject({ number: 'CL-2026-001', status: 'validated', receivedBy: 'operator', lines: { total: 2, invalid: 1 } });

    const preview = (await as('operator', 'GET', `/api/staff/registries/${registry.id}/lines?status=invalid`)).json();
    expect(preview).toMatchObject({ total: 1, items: [{ lineNo: 3, error: { code: 'missing_value' } }] });

    expect((await as('operator', 'POST', `/api/staff/registries/${registry.id}/apply`)).statusCode).toBe(403);
    const apply = await as('settlement', 'POST', `/api/staff/registries/${registry.id}/apply`);
    expect(apply.statusCode).toBe(202);
    const done = await waitFor(async () => {
      const s = (await as('operator', 'GET', `/api/staff/registries/${registry.id}`)).json();
      return s.status === 'applied' && s;
    });
    expect(done.lines).toMatchObject({ applied: 1, skipped: 1 });

    const again = await as('operator', 'POST', '/api/staff/registries?kind=clients&number=OTHER', multipart('whatever.csv', csv));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: 'content', registry: { id: registry.id, status: 'applied' } });
    const list = (await as('operator', 'GET', '/api/staff/registries?kind=clients')).json();
    expect(list.items.map((r: { id: string }) => r.id)).toContain(registry.id);
  });

  it('answers a file error as problem+json with its code', async () => {
    const res = await as('operator', 'POST', '/api/staff/registries?kind=credits', multipart('CR-1.csv', 'line_id;client_id;amount\n1;H-1;10\n'));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'missing_columns', missing: ['product'] });
    const wrongType = await as('operator', 'POST', '/api/staff/registries?kind=credits', multipart('CR-1.pdf', 'x'));
    expect(wrongType.json()).toMatchObject({ status: 415, code: 'unsupported_format' });
    expect((await as('operator', 'GET', '/api/staff/registries/00000000-0000-4000-8000-000000000000')).json()).toMatchObject({ status: 404, code: 'registry_not_found' });
    const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(openapi.json().paths['/api/staff/registries/{id}/apply'].post.responses['202']).toBeDefined();
  });

  it('serves templates that the upload accepts', async () => {
    const csv = await as('operator', 'GET', '/api/staff/registries/templates/credits.csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.replace(/^\uFEFF/, '').trim()).toBe('line_id;client_id;account_number;product;amount;kind;planned_date;comment');

    const xlsx = await as('operator', 'GET', '/api/staff/registries/templates/clients.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'action', 'client_id', 'last_name', 'first_name', 'middle_name', 'phone', 'email', 'account_number', 'products', 'card_uid', 'nfc', 'qr', 'employee_number']);
    sheet.addRow(['create', 'T-1', 'Шаблонов', 'Тимур', null, null, null, null, 'meals', '0A0B0C0D']);
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const upload = await as('operator', 'POST', '/api/staff/registries?kind=clients', multipart('from-template.xlsx', filled));
    expect(upload.json()).toMatchObject({ registry: { format: 'xlsx', status: 'validated', lines: { total: 1, invalid: 0 } } });
    const line = (await as('operator', 'GET', `/api/staff/registries/${upload.json().registry.id}/lines`)).json().items[0];
    expect(line.change).toMatchObject({ opensWallets: ['meals'], bindsIdentifiers: ['card_uid:0A0B0C0D'] });
    const db = runtime.database.db as unknown as Kysely<PrepaidDb>;
    expect(await db.selectFrom('clients').select('id').where('external_id', '=', 'T-1').executeTakeFirst()).toBeUndefined();
  });
});
