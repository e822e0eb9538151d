import { randomBytes } from 'node:crypto';
import { fastHashingForTests, parseKeyRing, type Database } from '@app/kernel';
import { testConfig } from '@app/kernel/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCabinetFrontApp } from '../server.js';
import type { CabinetFrontDb } from '../tables.js';
import { sampleSnapshot, startFront, type Front } from '../testing/fixture.js';
import { encryptedColumns } from './encrypted-columns.js';
import { rotateKeys } from './rotate-keys.js';

describe('key rotation (npm run cabinet:rotate-keys)', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  const indexKey = randomBytes(32).toString('base64');
  const oldRing = parseKeyRing({ keys: `k1:${k1}`, currentKeyId: 'k1', indexKey });
  const bothRing = parseKeyRing({ keys: `k1:${k1},k2:${k2}`, currentKeyId: 'k2', indexKey });
  const newRing = parseKeyRing({ keys: `k2:${k2}`, currentKeyId: 'k2', indexKey });
  let front: Front;

  beforeAll(async () => {
    front = await startFront({ keys: oldRing });
    const user = await front.register({ email: 'rotate@example.test' }, 'Rotate-Strong-2026', 'Ротация');
    await front.link(user, user.userId, sampleSnapshot('rot'));
    await user.call('POST', '/api/links/by-request', { contractNumber: 'ROT-2', applicantName: 'Заявитель Ротации', taxId: '7701234567' });
  });
  afterAll(() => front.close());

  const keyIds = async () => {
    const ids = new Map<string, number>();
    for (const c of encryptedColumns) {
      const { rows } = await sql<{ key: string; n: string }>`select split_part(${sql.ref(c.column)}, '.', 2) as key, count(*)::text as n from ${sql.table(c.table)} where ${sql.ref(c.column)} is not null group by 1`.execute(front.db);
      for (const r of rows) ids.set(r.key, (ids.get(r.key) ?? 0) + Number(r.n));
    }
    return Object.fromEntries(ids);
  };

  it('re-encrypts every encrypted column under the current key in batches, reporting counts, and a second run does nothing', async () => {
    const before = await keyIds();
    expect(Object.keys(before)).toEqual(['k1']);
    const report = await rotateKeys(front.runtime.database as Database<CabinetFrontDb>, bothRing, { batchSize: 2 });
    expect(report.total).toBe(before.k1);
    expect(report.columns.find((c) => c.table === 'consumers' && c.column === 'name_enc')!.reEncrypted).toBe(1);
    expect(report.columns.find((c) => c.table === 'invoices' && c.column === 'pdf_enc')!.reEncrypted).toBe(1);
    expect(report.columns.find((c) => c.table === 'link_requests' && c.column === 'applicant_name_enc')!.reEncrypted).toBe(1);
    expect(await keyIds()).toEqual({ k2: before.k1 });
    expect((await rotateKeys(front.runtime.database as Database<CabinetFrontDb>, bothRing)).total).toBe(0);
  });

  it('leaves the data readable with the new key alone, and logins (blind index) working', async () => {
    // The same database served by an app that has only the new key: the old one could leave FIELD_KEYS.
    const app = await createCabinetFrontApp(front.runtime, testConfig, { keys: newRing, hashing: fastHashingForTests, consumeEvents: false });
    try {
      const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { login: 'rotate@example.test', password: 'Rotate-Strong-2026' } });
      expect(login.statusCode).toBe(200);
      expect(login.json()).toMatchObject({ login: 'rotate@example.test', displayName: 'Ротация' });
      const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
      const consumer = await app.inject({ method: 'GET', url: '/api/consumers/consumer-rot', cookies });
      expect(consumer.json().name).toBe('ООО Тайное-rot');
      const pdf = await app.inject({ method: 'GET', url: '/api/invoices/rot-i1/pdf', cookies });
      expect(pdf.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
