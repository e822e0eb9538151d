import { randomUUID } from 'node:crypto';
import type { ConsumerSnapshot, Contract } from '@app/cabinet-contracts';
import { fastHashingForTests, startOutboxRelay, type Database, type HttpApp, type Message, type OutboxRelay, type Subscription } from '@app/kernel';
import { createTestRuntime, testConfig, waitFor } from '@app/kernel/testing';
import { MemoryOtpSender } from '../auth/otp-sender.js';
import { resolveKeyRing } from '../crypto/keys.js';
import { cabinetFrontMigrations } from '../migrations.js';
import { createCabinetFrontApp, type CabinetFrontOptions } from '../server.js';
import type { CabinetFrontDb } from '../tables.js';

/**
 * A front under test with the back played by the test: it publishes events on the bus as the back
 * would and watches the commands the front sends (queue bound to cabinet.cmd.#), through the published
 * contract only — the front's tests, like its code, never import cabinet-back.
 */
export async function startFront(options: CabinetFrontOptions = {}) {
  const runtime = await createTestRuntime('cabinet-front', cabinetFrontMigrations);
  // Subscriptions made before the broker connection is up are bound only on connect; events the
  // test publishes before that would find no queue. Wait, so every queue is bound when we go on.
  await waitFor(() => runtime.bus.isConnected(), { what: 'bus connected' });
  const otp = new MemoryOtpSender();
  const keys = options.keys ?? resolveKeyRing({ NODE_ENV: 'test' });
  const relay: OutboxRelay = startOutboxRelay(runtime);
  const app: HttpApp = await createCabinetFrontApp(runtime, testConfig, { hashing: fastHashingForTests, otpSender: otp, today: () => '2026-03-20', keys, nudge: () => relay.nudge(), ...options });
  await app.ready();
  const commands: Message[] = [];
  const watcher: Subscription = await runtime.bus.subscribe(`test-back-${randomUUID().slice(0, 8)}`, ['cabinet.cmd.#'], async (m) => {
    commands.push(m);
  });

  let ip = 0;
  const front = {
    runtime,
    /** The front's database, typed. */
    db: (runtime.database as unknown as Database<CabinetFrontDb>).db,
    app,
    otp,
    keys,
    commands,
    /** Publishes an event as the back would (message id stable across a "redelivery"). */
    publish: (topic: string, payload: unknown, id: string = randomUUID()) => runtime.bus.publish(topic, payload, { id }),
    /** Waits until the front's inbox has applied the message ids. */
    applied: (ids: string[]) =>
      waitFor(async () => {
        const rows = await front.db.selectFrom('inbox').select('message_id').where('message_id', 'in', ids).execute();
        return rows.length === ids.length;
      }, { what: `events ${ids.join(', ')} applied`, timeoutMs: 15_000 }),
    commandOf: (topic: string, predicate: (payload: never) => boolean = () => true) =>
      waitFor(() => commands.find((c) => c.topic === topic && predicate(c.payload as never)), { what: `command ${topic}`, timeoutMs: 15_000 }),
    /** Registers through the API (code from the recording sender) and logs in. */
    async register(contact: { email?: string; phone?: string }, password = 'Strong-Pass-2026', displayName?: string) {
      const remote = `10.0.${Math.floor(++ip / 250)}.${ip % 250}`;
      const start = await app.inject({ method: 'POST', url: '/auth/register', payload: contact, remoteAddress: remote });
      if (start.statusCode !== 202) throw new Error(`register: ${start.statusCode} ${start.body}`);
      const to = otp.messages.at(-1)!.to.value;
      const code = otp.lastCodeFor(to)!;
      const confirm = await app.inject({ method: 'POST', url: `/auth/register/${start.json().challengeId}/confirm`, payload: { code, password, ...(displayName ? { displayName } : {}) } });
      if (confirm.statusCode !== 201) throw new Error(`confirm: ${confirm.statusCode} ${confirm.body}`);
      return { ...(await front.login(contact.email ?? contact.phone!, password)), userId: confirm.json().id as string };
    },
    async login(login: string, password: string) {
      const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { login, password }, remoteAddress: `10.1.${Math.floor(++ip / 250)}.${ip % 250}` });
      if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
      const cookies = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
      const csrf = res.json().csrfToken as string;
      const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
        app.inject({ method, url, cookies, headers: { 'x-csrf-token': csrf }, ...(payload !== undefined ? { payload: payload as object } : {}) });
      return { cookies, csrf, call, me: res.json() as { id: string; login: string; displayName: string } };
    },
    /** Links a contract by secret and answers as the back: link.accepted plus the consumer's snapshot. */
    async link(session: { call: (m: 'POST', u: string, p?: unknown) => Promise<{ statusCode: number; json: () => { id: string } }> }, userId: string, snapshot: ConsumerSnapshot) {
      const res = await session.call('POST', '/api/links/by-secret', { contractNumber: snapshot.contracts[0]!.number, secret: 'S3CRET' });
      if (res.statusCode !== 202) throw new Error(`link: ${res.statusCode}`);
      const commandId = res.json().id;
      await front.commandOf('cabinet.cmd.link.by-secret', (p: { commandId: string }) => p.commandId === commandId);
      const ids = [randomUUID(), randomUUID()];
      await front.publish('cabinet.evt.consumer.snapshot', snapshot, ids[0]);
      await front.publish('cabinet.evt.link.accepted', { commandId, userRef: userId, consumerRef: snapshot.consumerRef, contractNumber: snapshot.contracts[0]!.number, via: 'secret' }, ids[1]);
      await front.applied(ids);
      return commandId;
    },
    async close() {
      await watcher.close();
      await relay.stop();
      await app.close();
      await runtime.close();
    },
  };
  return front;
}

export type Front = Awaited<ReturnType<typeof startFront>>;

/** A consumer's billing data as the back would send it, with personal data the raw-rows test looks for. */
export function sampleSnapshot(tag: string, version = '100'): ConsumerSnapshot {
  const contract: Contract = {
    id: `${tag}-c1`,
    number: `${tag.toUpperCase()}-0001`,
    status: 'active',
    startedOn: '2024-01-01',
    readingWindow: { fromDay: 15, toDay: 25 },
    objects: [
      {
        id: `${tag}-o1`,
        name: 'Склад',
        address: `г. Тестоград, ул. Секретная-${tag}, д. 7`,
        meteringPoints: [
          {
            id: `${tag}-p1`,
            code: `TU-${tag}-1`,
            name: 'Ввод 1',
            voltage: '0.4',
            maxPowerKw: '150',
            meters: [
              {
                id: `${tag}-m1`,
                serial: `SN-${tag}-1`,
                model: 'Меркурий 230',
                kind: 'integral',
                digits: 6,
                fractionDigits: 2,
                transformationRatio: '1',
                zones: ['T1', 'T2'],
                installedOn: '2023-05-01',
                verifiedOn: '2023-05-01',
                nextVerificationOn: '2039-05-01',
                lastReadings: [
                  { zone: 'T1', date: '2026-02-20', value: '1000' },
                  { zone: 'T2', date: '2026-02-20', value: '500' },
                ],
                averageMonthlyKwh: '200',
              },
            ],
          },
        ],
      },
    ],
  };
  const digits = [...tag].map((ch) => String(ch.charCodeAt(0) % 10)).join('').padEnd(4, '7');
  return {
    consumerRef: `consumer-${tag}`,
    version,
    profile: {
      kind: 'organisation',
      name: `ООО Тайное-${tag}`,
      inn: `77${digits}${digits}`.slice(0, 10),
      ogrn: `10277${digits}${digits}${digits}`.slice(0, 13),
      snils: `112-233-${digits.slice(0, 3)} 95`,
      email: `buh-${tag}@secret-consumer.test`,
      phone: `+7916555${digits}`.slice(0, 12),
      address: `г. Тестоград, пр. Личный-${tag}, д. 1`,
    },
    contracts: [contract],
    accounts: [{ contractId: contract.id, debt: '125000', asOf: '2026-03-01', months: [{ month: '2026-02', opening: '0', charged: '125000', paid: '0', closing: '125000', kwh: '480' }] }],
    invoices: [{ id: `${tag}-i1`, contractId: contract.id, kind: 'invoice', number: `СЧ-${tag}-1`, period: '2026-02', issuedOn: '2026-03-01', dueOn: '2026-03-15', amount: '125000', kwh: '480', pdfBase64: Buffer.from(`%PDF-1.4 счёт ${tag} ООО Тайное-${tag}`).toString('base64') }],
    payments: [{ id: `${tag}-pay1`, contractId: contract.id, paidOn: '2026-02-10', amount: '90000', document: `ПП-${tag}-1`, source: 'bank' }],
    readings: [
      { billingReadingId: `${tag}-br1`, meterId: `${tag}-m1`, zone: 'T1', date: '2026-02-20', value: '1000', source: 'asuse', status: 'accepted', consumptionKwh: '180', processedAt: '2026-02-21T10:00:00.000Z' },
    ],
  };
}
