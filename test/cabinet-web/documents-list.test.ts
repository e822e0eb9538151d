import { waitFor } from '@app/kernel/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { employeeSession, type Employee } from './employee.js';
import { apiCall, axeCheck, linkContract, registerAndLogin, screenshots, startCabinetWeb, type CabinetWebBench } from './harness.js';

// A browser flow over the whole stack takes tens of seconds when the suite runs beside it, not the unit default.
vi.setConfig({ testTimeout: 180_000 });

/**
 * The consumer's documents list (GET /api/documents on cabinet-front, the documents screen): a page of
 * the caller's own documents only — another consumer's agreements are neither listed nor found — paged
 * by limit and offset with the total, and a bad parameter answered as a problem naming the field.
 */
let bench: CabinetWebBench;
let employee: Employee;
beforeAll(async () => {
  bench = await startCabinetWeb();
  employee = await employeeSession(bench.stack.backUrl);
}, 480_000);
afterAll(async () => bench?.close());

interface DocItem { id: string; title: string; status: string; contractNumber?: string }
interface DocPage { items: DocItem[]; total: number; limit: number; offset: number }

async function issueAgreement(contractNumber: string, title: string) {
  const issued = await employee.call('POST', `/api/back-office/contracts/${encodeURIComponent(contractNumber)}/agreements`, { title, allowSimpleSignature: true });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  return issued.body.id as string;
}

describe('cabinet in the browser: the documents list', { timeout: 300_000 }, () => {
  it("lists the consumer's own documents, paged, never another consumer's; bad parameters are problems", async () => {
    const a = await registerAndLogin(bench);
    await linkContract(bench, a.page, 'D-000001', 'DEMO-2026-01');
    const b = await registerAndLogin(bench);
    await linkContract(bench, b.page, 'D-000002', 'DEMO-2026-02');

    const mine = [];
    for (const n of [1, 2, 3]) mine.push(await issueAgreement('D-000001', `Соглашение ${n} к договору D-000001`));
    const theirs = await issueAgreement('D-000002', 'Соглашение к договору D-000002');

    const list = (page: typeof a.page, query: string) => apiCall<DocPage>(page, 'GET', `/api/documents${query}`);
    await waitFor(async () => ((await list(a.page, '?status=issued')).body.total === 3 ? true : undefined), { what: "A's three agreements in the front", timeoutMs: 90_000 });
    await waitFor(async () => ((await list(b.page, '?status=issued')).body.total === 1 ? true : undefined), { what: "B's agreement in the front", timeoutMs: 90_000 });

    // Own data only: B's agreement is not in A's list, and not found by its id; and the other way round.
    const all = (await list(a.page, '?limit=200')).body;
    expect(all.items.map((d) => d.id).sort()).toEqual([...mine].sort());
    expect(all.items.every((d) => d.contractNumber === 'D-000001')).toBe(true);
    expect((await apiCall(a.page, 'GET', `/api/documents/${theirs}`)).status).toBe(404);
    expect((await list(b.page, '')).body.items.map((d) => d.id)).toEqual([theirs]);
    expect((await apiCall(b.page, 'GET', `/api/documents/${mine[0]}`)).status).toBe(404);
    expect((await list(a.page, '?status=signed')).body).toMatchObject({ items: [], total: 0 });

    // Pages: newest first, two and then the last one, together the three, each with the total.
    const first = (await list(a.page, '?status=issued&limit=2&offset=0')).body;
    const second = (await list(a.page, '?status=issued&limit=2&offset=2')).body;
    expect(first).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(first.items).toHaveLength(2);
    expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(second.items).toHaveLength(1);
    expect([...first.items, ...second.items].map((d) => d.id).sort()).toEqual([...mine].sort());
    expect(first.items[0]!.title).toBe('Соглашение 3 к договору D-000001');

    // Bad parameters: problem+json with a stable code and the field.
    for (const [query, field] of [['?limit=0', 'limit'], ['?limit=201', 'limit'], ['?offset=-1', 'offset'], ['?status=lost', 'status'], ['?sort=title', 'sort']] as const) {
      const answer = await a.page.evaluate(async (url) => {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { code?: string; errors?: { field: string }[] } };
      }, `/api/documents${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.type, query).toContain('application/problem+json');
      expect(answer.body.code, query).toBe('validation_failed');
      expect(answer.body.errors?.map((e) => e.field), query).toContain(`querystring.${field}`);
    }

    // The screen shows the same page: A's agreements awaiting signature, with their contract; nothing of B's.
    await a.page.goto(`${bench.url}/documents`);
    await a.page.getByRole('heading', { name: 'Документы на подпись' }).waitFor();
    await a.page.getByRole('link', { name: 'Соглашение 1 к договору D-000001' }).waitFor();
    expect(await a.page.getByRole('table', { name: 'Ждут вашей подписи' }).getByRole('row').count()).toBe(4);
    expect(await a.page.getByRole('table', { name: 'Ждут вашей подписи' }).getByText('Договор D-000001').count()).toBe(3);
    expect(await a.page.getByText('D-000002').count()).toBe(0);
    await axeCheck(a.page);
    await screenshots(a.page, 'documents-list');
  });
});
