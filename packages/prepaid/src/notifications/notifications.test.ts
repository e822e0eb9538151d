import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Database } from '@app/kernel';
import { createTestRuntime } from '@app/kernel/testing';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/ledger.service.js';
import { prepaidMigrations } from '../migrations.js';
import type { PrepaidDb } from '../tables.js';
import { seedWorkplaceDemo } from '../web/demo-data.js';
import { collectNotices } from './collect.js';
import { deliverNotices } from './deliver.js';
import { smsRuGateway, smtpGateway } from './gateways.js';
import { startSmsEmulator } from './sms-emulator.js';
import type { NotificationsDb } from './tables.js';

let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
let db: Kysely<NotificationsDb>;
let smtp: ChildProcess;
let smtpPort = 0;
const mails: Array<{ to: string[]; raw: string }> = [];
let sms: Awaited<ReturnType<typeof startSmsEmulator>>;

beforeAll(async () => {
  runtime = await createTestRuntime('prepaid', prepaidMigrations);
  await seedWorkplaceDemo(runtime.database as unknown as Database<PrepaidDb>, runtime.cache);
  db = runtime.database.db as never;
  // The SMTP server runs as its own process, as a mail relay would.
  smtp = spawn(process.execPath, [fileURLToPath(new URL('./smtp-sink.fixture.mjs', import.meta.url)), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  smtpPort = await new Promise<number>((resolve) => {
    createInterface({ input: smtp.stdout! }).on('line', (line) => {
      if (line.startsWith('listening ')) resolve(Number(line.split(' ')[1]));
      else mails.push(JSON.parse(line));
    });
  });
  sms = await startSmsEmulator({ apiId: 'test-api-id' });
}, 120_000);
afterAll(async () => {
  smtp?.kill('SIGTERM');
  await sms?.close();
  await runtime?.close();
});

const client = async (name: string) => (await sql<{ id: string; account_id: string }>`select c.id, a.id as account_id from clients c join accounts a on a.client_id = c.id where c.full_name = ${name}`.execute(runtime.database.db)).rows[0]!;
const merchant = async () => (await sql<{ id: string }>`select id from merchants where code = 'canteen-1'`.execute(runtime.database.db)).rows[0]!.id;

describe('client notifications', () => {
  it('sends purchase and low-balance notices by e-mail over SMTP and by SMS through the SMS.ru API, only to subscribers, once each', async () => {
    // The demo history is not notified: the first pass starts the cursor at the journal's end.
    await collectNotices(db);
    expect(await db.selectFrom('notification_outbox').selectAll().execute()).toHaveLength(0);

    const ivanova = await client('Иванова Мария Петровна');
    const petrov = await client('Петров Сергей Иванович');
    await db.insertInto('notification_subscriptions').values([
      { client_id: ivanova.id, channel: 'email', purchases: true, low_balance: true, low_balance_threshold: 200_000n },
      { client_id: ivanova.id, channel: 'sms', purchases: false, low_balance: true, low_balance_threshold: 200_000n },
    ]).execute();
    const ledger = new Ledger(runtime.database as unknown as Database<PrepaidDb>);
    const canteen = await merchant();
    // Ivanova: two purchases, the first takes "meals" below 2 000 roubles (one low-balance notice only).
    for (const [i, amount] of [[1, 60_000], [2, 1_000]] as const) {
      const r = await ledger.purchase({ key: `n:${i}`, accountId: ivanova.account_id, merchantId: canteen, basket: [{ product: 'meals', amount }] });
      expect(r.status).toBe('approved');
    }
    // Petrov has no subscription: nothing for him.
    await ledger.purchase({ key: 'n:petrov', accountId: petrov.account_id, merchantId: canteen, basket: [{ product: 'meals', amount: 1_000 }] });

    expect(await collectNotices(db)).toBe(3);
    expect(await collectNotices(db)).toBe(0);
    const outbox = await db.selectFrom('notification_outbox').select(['kind', 'channel', 'address']).orderBy('id').execute();
    expect(outbox).toEqual([
      { kind: 'purchase', channel: 'email', address: 'ivanova@example.test' },
      { kind: 'low_balance', channel: 'email', address: 'ivanova@example.test' },
      { kind: 'low_balance', channel: 'sms', address: '+79161234501' },
      { kind: 'purchase', channel: 'email', address: 'ivanova@example.test' },
    ]);

    const sent = await deliverNotices(db, { email: smtpGateway({ url: `smtp://127.0.0.1:${smtpPort}`, from: 'noreply@prepaid.test' }), sms: smsRuGateway({ url: sms.url, apiId: 'test-api-id' }) });
    expect(sent).toBe(4);
    await expect.poll(() => mails.length).toBe(3);
    expect(mails.every((m) => m.to[0] === 'ivanova@example.test')).toBe(true);
    expect(mails.map((m) => m.raw).join('\n')).toMatch(/Subject: =\?UTF-8\?/);
    expect(sms.messages).toMatchObject([{ to: '79161234501', text: expect.stringContaining('ниже 2 000,00 руб.') }]);
    expect(await db.selectFrom('notification_outbox').select('status').where('status', '!=', 'sent').execute()).toEqual([]);
  });

  it('retries a gateway that is away, gives up on an address the gateway refuses for good', async () => {
    const smirnova = await client('Смирнова Елена Андреевна');
    await db.updateTable('clients').set({ email: 'nobody@example.test' }).where('id', '=', smirnova.id).execute();
    await db.insertInto('notification_subscriptions').values({ client_id: smirnova.id, channel: 'email', purchases: true, low_balance: false }).execute();
    const ledger = new Ledger(runtime.database as unknown as Database<PrepaidDb>);
    await ledger.purchase({ key: 'n:smirnova', accountId: smirnova.account_id, merchantId: await merchant(), basket: [{ product: 'meals', amount: 500 }] });
    await collectNotices(db);
    // First the SMTP server is unreachable (a port nobody listens on): the notice waits for a retry.
    await deliverNotices(db, { email: smtpGateway({ url: 'smtp://127.0.0.1:1', from: 'noreply@prepaid.test' }) });
    const waiting = await db.selectFrom('notification_outbox').selectAll().where('client_id', '=', smirnova.id).executeTakeFirstOrThrow();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    await db.updateTable('notification_outbox').set({ next_attempt_at: new Date(0) }).where('id', '=', waiting.id).execute();
    // Then the real server refuses the mailbox (550): failed for good.
    await deliverNotices(db, { email: smtpGateway({ url: `smtp://127.0.0.1:${smtpPort}`, from: 'noreply@prepaid.test' }) });
    expect(await db.selectFrom('notification_outbox').select(['status', 'attempts']).where('id', '=', waiting.id).executeTakeFirstOrThrow()).toEqual({ status: 'failed', attempts: 2 });
  });

  it('the SMS adapter speaks the SMS.ru format: a wrong api_id and a bad number are errors', async () => {
    await expect(smsRuGateway({ url: sms.url, apiId: 'wrong' }).send({ address: '+79160000000', subject: '', body: 'x' })).rejects.toMatchObject({ permanent: true });
    await expect(smsRuGateway({ url: sms.url, apiId: 'test-api-id' }).send({ address: '12345', subject: '', body: 'x' })).rejects.toMatchObject({ message: expect.stringContaining('202') });
    expect(await smsRuGateway({ url: sms.url, apiId: 'test-api-id' }).send({ address: '+79160000000', subject: '', body: 'Проверка' })).toMatch(/^000000-/);
  });
});
