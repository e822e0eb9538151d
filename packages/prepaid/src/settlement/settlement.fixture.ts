import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import { createMerchant, createServiceProvider } from '../directories/directories.repo.js';
import { createProgramme, key, newAccount } from '../ledger/fixture.js';
import type { Ledger, LedgerResult } from '../ledger/ledger.service.js';
import type { PrepaidDb } from '../tables.js';

/** Test helpers for settlement: a provider with two merchants, a merchant outside it, and a day of trade. */
export const approved = (r: LedgerResult) => {
  if (r.status !== 'approved') throw new Error(`expected approval, got ${JSON.stringify(r.decline)}`);
  return r;
};

export async function settlementProgramme(db: Kysely<PrepaidDb>) {
  await createProgramme(db);
  const tag = randomUUID().slice(0, 6);
  const providerId = await createServiceProvider(db, { code: `food-${tag}`, name: 'Комбинат питания' });
  const canteen = await createMerchant(db, { code: `canteen-${tag}`, name: 'Столовая №1', products: ['meals', 'own'], providerId });
  const shop = await createMerchant(db, { code: `shop-${tag}`, name: 'Буфет', products: ['own'], providerId });
  const kiosk = await createMerchant(db, { code: `kiosk-${tag}`, name: 'Киоск', products: ['own'] });
  const terminal = await db.insertInto('terminals').values({ code: `T-${tag}`, merchant_id: canteen, secret_hash: 'x' }).returning(['id', 'code']).executeTakeFirstOrThrow();
  return { tag, providerId, canteen, shop, kiosk, terminal };
}

export async function fundedAccount(db: Kysely<PrepaidDb>, ledger: Ledger, meals = 100_000n, own = 100_000n) {
  const account = await newAccount(db);
  approved(await ledger.credit({ key: key(), accountId: account.id, product: 'meals', amount: meals }));
  approved(await ledger.credit({ key: key(), accountId: account.id, product: 'own', amount: own }));
  return account;
}

/** A Writable that keeps what it is given. */
export function memoryWritable() {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const done = finished(stream);
  return { stream, done, bytes: () => Buffer.concat(chunks) };
}
