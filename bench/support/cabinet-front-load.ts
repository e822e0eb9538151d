// The cabinet-front benchmark data and page mix, shared by bench:cabinet and bench:scale: consumers loaded with
// the front's own code (the read model's appliers, the consumer-user row registration writes; personal data
// encrypted), sessions written directly (a login per consumer would only measure argon2id).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ConsumerSnapshot, HourlyDay } from '@app/cabinet-contracts';
import { applyHourly, applySnapshot, cabinetFrontMigrations, insertConsumerUser, keyRingFrom, loginKeyOf, parseLogin, Pii } from '@app/cabinet-front';
import { createDatabase, kernelMigrations, migrate } from '@app/kernel';
import type { Transaction } from 'kysely';
import type { LoadRequest } from '../open-loop.js';

const MONTHS = 12;
type Trx = Parameters<typeof applySnapshot>[0];
type FrontDb = Trx extends Transaction<infer D> ? D : never;
export interface BenchSession {
  index: number;
  token: string;
}

/** Keys of one run only (production refuses the development keys): the env the front is started with. */
export function benchKeys() {
  return { FIELD_KEYS: `bench1:${randomBytes(32).toString('base64')}`, FIELD_KEY_CURRENT: 'bench1', BLIND_INDEX_KEY: randomBytes(32).toString('base64') };
}

/** Migrates the front database at `url` and loads `consumers` consumers; returns up to `sessionCount` sessions. */
export async function loadCabinetFront(url: string, keys: ReturnType<typeof benchKeys>, consumers: number, sessionCount: number, progress: (done: number) => void = () => {}): Promise<BenchSession[]> {
  const database = await createDatabase<FrontDb>({ url, poolSize: 4 });
  await migrate(database, [kernelMigrations, ...cabinetFrontMigrations]);
  const pii = new Pii(keyRingFrom(keys));
  try {
    return await load(database, pii, consumers, Math.min(consumers, sessionCount), progress);
  } finally {
    await database.close();
  }
}

/** The calls the cabinet's pages make, for a random consumer with a session, round-robin over pages. */
export function cabinetPages(sessions: BenchSession[]): () => LoadRequest {
  let n = 0;
  const month = (i: number) => monthOf(MONTHS - 1 - i);
  return () => {
    const s = sessions[(n * 7919) % sessions.length]!;
    const headers = { cookie: `cabinet_sid=${s.token}` };
    const i = s.index;
    const list: LoadRequest[] = [
      { page: 'summary', method: 'GET', path: '/api/summary', headers },
      { page: 'contracts', method: 'GET', path: '/api/contracts', headers },
      { page: 'contract', method: 'GET', path: `/api/contracts/c${i}`, headers },
      { page: 'meters', method: 'GET', path: '/api/meters', headers },
      { page: 'readings', method: 'GET', path: '/api/readings?limit=50', headers },
      { page: 'account card', method: 'GET', path: `/api/contracts/c${i}/account`, headers },
      { page: 'invoices', method: 'GET', path: '/api/invoices?limit=20', headers },
      { page: 'payments', method: 'GET', path: '/api/payments?limit=20', headers },
      { page: 'hourly (month)', method: 'GET', path: `/api/metering-points/p${i}-2/hourly?kind=metered&from=${month(0)}-01&to=${month(0)}-28`, headers },
    ];
    return list[n++ % list.length]!;
  };
}

async function load(database: Awaited<ReturnType<typeof createDatabase<FrontDb>>>, pii: Pii, CONSUMERS: number, SESSIONS: number, progress: (done: number) => void): Promise<BenchSession[]> {
  const out: BenchSession[] = [];
  const BATCH = 250;
  for (let from = 0; from < CONSUMERS; from += BATCH) {
    const to = Math.min(CONSUMERS, from + BATCH);
    await database.transaction(async (trx) => {
      for (let i = from; i < to; i++) {
        const email = `consumer${i}@bench.test`;
        const userId = randomUUID();
        await trx.insertInto('users').values({ id: userId, login_key: loginKeyOf(pii, email), display_name: '', password_hash: null, roles: ['consumer'] }).execute();
        await insertConsumerUser(trx, pii, userId, parseLogin(email)!, `Потребитель ${i}`);
        await trx.insertInto('memberships').values({ user_id: userId, consumer_ref: `k${i}`, role: 'owner', rights: ['view', 'submit_readings', 'pay', 'sign'] }).execute();
        await applySnapshot(trx, pii, snapshotOf(i));
        await applyHourly(trx, `k${i}`, '1', `p${i}-2`, 'metered', hourlyMonth(i));
        if (out.length < SESSIONS && i % Math.ceil(CONSUMERS / SESSIONS) === 0) {
          const token = randomBytes(32).toString('base64url');
          await trx
            .insertInto('sessions')
            .values({ token_hash: createHash('sha256').update(token).digest('base64url'), user_id: userId, csrf_token: randomBytes(16).toString('base64url'), expires_at: new Date(Date.now() + 86_400_000) })
            .execute();
          out.push({ index: i, token });
        }
      }
    });
    if ((to / BATCH) % 8 === 0 || to === CONSUMERS) progress(to);
  }
  return out;
}

function monthOf(back: number): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - back);
  return d.toISOString().slice(0, 7);
}

function snapshotOf(i: number): ConsumerSnapshot {
  const months = Array.from({ length: MONTHS }, (_, m) => monthOf(MONTHS - 1 - m));
  const meter = (id: string, kind: 'integral' | 'interval', zones: string[]) => ({
    id,
    serial: `SN${id}`,
    model: 'Меркурий 230',
    kind,
    digits: 6,
    fractionDigits: 2,
    transformationRatio: '1',
    zones,
    installedOn: '2020-01-15',
    verifiedOn: '2020-01-15',
    nextVerificationOn: '2036-01-15',
    lastReadings: zones.map((zone) => ({ zone, date: `${months.at(-1)}-01`, value: `${1000 + i % 500}.00` })),
    averageMonthlyKwh: '350',
  });
  let balance = 0n;
  const account = months.map((month) => {
    const charged = 250_000n + BigInt(i % 97) * 100n;
    const paid = 240_000n;
    const opening = balance;
    balance = opening + charged - paid;
    return { month, opening: String(opening), charged: String(charged), paid: String(paid), closing: String(balance), kwh: '350.000' };
  });
  return {
    consumerRef: `k${i}`,
    version: '1',
    profile: { kind: i % 3 === 0 ? 'organisation' : 'person', name: `Потребитель №${i}`, inn: String(7700000000 + i), email: `consumer${i}@bench.test`, phone: `+7900${String(i).padStart(7, '0')}`, address: `г. Москва, ул. Тестовая, д. ${i}` },
    contracts: [
      {
        id: `c${i}`,
        number: `B-${String(i).padStart(6, '0')}`,
        status: 'active',
        startedOn: '2020-01-01',
        readingWindow: { fromDay: 1, toDay: 31 },
        objects: [
          {
            id: `o${i}`,
            name: 'Объект',
            address: `г. Москва, ул. Тестовая, д. ${i}`,
            meteringPoints: [
              { id: `p${i}-1`, code: `MP${i}-1`, name: 'Ввод 1', voltage: '0.4', maxPowerKw: '15', meters: [meter(`m${i}-1`, 'integral', ['day', 'night'])] },
              { id: `p${i}-2`, code: `MP${i}-2`, name: 'Ввод 2', voltage: '0.4', maxPowerKw: '15', meters: [meter(`m${i}-2`, 'interval', ['total'])] },
            ],
          },
        ],
      },
    ],
    accounts: [{ contractId: `c${i}`, debt: String(balance), asOf: new Date().toISOString().slice(0, 10), months: account }],
    invoices: months.map((month, m) => ({ id: `inv${i}-${m}`, contractId: `c${i}`, kind: 'invoice' as const, number: `B-${i}/${month}`, period: month, issuedOn: `${month}-05`, dueOn: `${month}-15`, amount: account[m]!.charged, kwh: '350.000' })),
    payments: months.map((month, m) => ({ id: `pay${i}-${m}`, contractId: `c${i}`, paidOn: `${month}-14`, amount: '240000', document: `ПП ${m + 1}`, source: 'bank' })),
    readings: months.flatMap((month, m) =>
      ['day', 'night'].map((zone) => ({ billingReadingId: `r${i}-${m}-${zone}`, meterId: `m${i}-1`, zone, date: `${month}-01`, value: `${1000 + m * 10}.00`, source: 'cabinet', status: 'accepted' as const, consumptionKwh: '175.000', processedAt: `${month}-02T10:00:00.000Z` })),
    ),
  };
}

function hourlyMonth(i: number): HourlyDay[] {
  const month = monthOf(0);
  return Array.from({ length: 28 }, (_, d) => ({
    date: `${month}-${String(d + 1).padStart(2, '0')}`,
    hours: Array.from({ length: 24 }, (_, h) => (0.4 + ((i + d + h) % 10) / 10).toFixed(3)),
  }));
}
