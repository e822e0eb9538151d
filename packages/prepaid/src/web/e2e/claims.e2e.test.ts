import type { Database } from '@app/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfflineDb } from '../../tables.js';
import { forced, loginAs, screenshot, startBench, type Bench } from './harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
  // An offline purchase the server could not post, as the offline upload records one (offline.routes tests that path).
  const { db } = bench.runtime.database as unknown as Database<OfflineDb>;
  const terminal = await db.selectFrom('terminals').select(['id', 'merchant_id']).where('code', '=', 'T-KIOSK-1').executeTakeFirstOrThrow();
  await db
    .insertInto('failed_operations')
    .values({
      kind: 'offline_purchase',
      terminal_id: terminal.id,
      merchant_id: terminal.merchant_id,
      transaction_id: 'OFF-77',
      identifier_kind: 'card_uid',
      identifier_value: '04A1B2C3D4E5AA',
      basket: JSON.stringify([{ product: 'meals', amount: 23_400 }]),
      amount: 23_400n,
      happened_at: new Date(Date.now() - 3_600_000),
      code: 'identifier_unknown',
    })
    .execute();
}, 240_000); // migrations and demo data on PGlite take long on a loaded box
afterAll(async () => bench?.close());

describe('workplace in the browser: claims and failed operations', () => {
  it('an operator opens a claim from a failed offline purchase; a settlement specialist takes it, rejects it and closes it', async () => {
    const operator = await loginAs(bench, 'operator');
    await operator.getByRole('link', { name: 'Ошибочные операции' }).click();
    const failed = operator.getByRole('row').filter({ hasText: '04A1B2C3D4E5AA' });
    await failed.getByRole('cell', { name: /234,00/ }).waitFor();
    await screenshot(operator, 'claims-failed-operations');
    await failed.getByRole('button', { name: 'Открыть претензию' }).click();
    await operator.getByRole('heading', { name: /Претензия № \S+: Ошибочная офлайн-операция/ }).waitFor();
    const claimUrl = operator.url();
    const claimId = claimUrl.split('/').pop()!;
    await operator.getByLabel('Комментарий').fill('Клиент говорит, что карта новая');
    await operator.getByRole('button', { name: 'Добавить комментарий' }).click();
    await operator.getByText('— Клиент говорит, что карта новая').waitFor();
    // The operator has no resolution buttons, and the server refuses a forced one.
    expect(await operator.getByRole('button', { name: 'Взять в работу' }).count()).toBe(0);
    expect(await operator.getByRole('button', { name: 'Отклонить' }).count()).toBe(0);
    expect(await forced(operator, 'POST', `/api/staff/claims/${claimId}/assign`, { assignee: 'operator' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await forced(operator, 'POST', `/api/staff/claims/${claimId}/resolution`, { kind: 'rejected', idempotencyKey: 'forced-1', note: 'x' })).toMatchObject({ status: 403 });

    const settlement = await loginAs(bench, 'settlement');
    await settlement.getByRole('link', { name: 'Претензии' }).click();
    await settlement.getByLabel('Статус').selectOption('open');
    await settlement.getByRole('row').filter({ hasText: 'Ошибочная офлайн-операция' }).getByRole('link').click();
    await settlement.getByRole('button', { name: 'Взять в работу' }).click();
    await settlement.getByText('Исполнитель: settlement').waitFor();
    await settlement.getByLabel('Комментарий').fill('Карта не привязана к счёту, списание невозможно');
    await settlement.getByRole('button', { name: 'Отклонить' }).click();
    await settlement.getByText('Статус: решён').waitFor();
    await screenshot(settlement, 'claims-claim');
    await settlement.getByRole('button', { name: 'Закрыть претензию' }).click();
    await settlement.getByText('Статус: закрыт').waitFor();

    await operator.getByRole('link', { name: 'Претензии' }).click();
    const listed = operator.getByRole('row').filter({ hasText: 'Ошибочная офлайн-операция' });
    await listed.getByRole('cell', { name: 'закрыт' }).waitFor();
    await listed.getByRole('cell', { name: 'отклонена' }).waitFor();
  });
});
