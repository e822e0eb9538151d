import type { Cache, Database } from '@app/kernel';
import { openAccount } from '../accounts/accounts.service.js';
import { createClient, createMerchant, createProduct } from '../directories/directories.repo.js';
import { Identifiers } from '../identifiers/identifiers.service.js';
import { Ledger } from '../ledger/ledger.service.js';
import type { PrepaidDb } from '../tables.js';
import { Terminals } from '../terminals/terminals.service.js';

/**
 * Demo data for the workplace of `npm start` (and its browser tests): two products, two merchants with
 * a terminal, a handful of clients with accounts, cards, credits, purchases and a refund, so every
 * screen has something to show. Idempotent: a database that has the product `meals` is left alone.
 */
export const demoClients = [
  { fullName: 'Иванова Мария Петровна', phone: '+79161234501', email: 'ivanova@example.test', card: '04A1B2C3D4E501' },
  { fullName: 'Петров Сергей Иванович', phone: '+79161234502', email: 'petrov@example.test', card: '04A1B2C3D4E502' },
  { fullName: 'Сидорова Анна Викторовна', phone: '+79161234503', email: null, card: '04A1B2C3D4E503' },
  { fullName: 'Кузнецов Дмитрий Олегович', phone: '+79161234504', email: 'kuznetsov@example.test', card: '04A1B2C3D4E504' },
  { fullName: 'Смирнова Елена Андреевна', phone: null, email: 'smirnova@example.test', card: '04A1B2C3D4E505' },
];

export async function seedWorkplaceDemo(database: Database<PrepaidDb>, cache: Cache) {
  const db = database.db;
  if (await db.selectFrom('products').select('code').where('code', '=', 'meals').executeTakeFirst()) return;
  await createProduct(db, { code: 'meals', name: 'Питание', dailyDebitLimit: 150_000n, monthlyDebitLimit: 2_000_000n });
  await createProduct(db, { code: 'shop', name: 'Магазин', perOperationLimit: 500_000n });
  const canteen = await createMerchant(db, { code: 'canteen-1', name: 'Столовая № 1', products: ['meals'] });
  const kiosk = await createMerchant(db, { code: 'kiosk-1', name: 'Буфет у проходной', products: ['meals', 'shop'] });
  const terminals = new Terminals(database, cache);
  await terminals.register({ code: 'T-CANTEEN-1', merchantId: canteen });
  await terminals.register({ code: 'T-KIOSK-1', merchantId: kiosk });
  const ledger = new Ledger(database);
  const identifiers = new Identifiers(database);
  let n = 0;
  for (const c of demoClients) {
    n += 1;
    const clientId = await createClient(db, { fullName: c.fullName, ...(c.phone ? { phone: c.phone } : {}), ...(c.email ? { email: c.email } : {}) });
    const account = await openAccount(db, { clientId, products: ['meals', 'shop'] });
    await identifiers.bind({ accountId: account.id, kind: 'card_uid', value: c.card });
    await ledger.credit({ key: `demo:credit:${n}`, accountId: account.id, product: 'meals', amount: 300_000, createdBy: 'demo' });
    await ledger.credit({ key: `demo:credit-shop:${n}`, accountId: account.id, product: 'shop', amount: 50_000 * n, createdBy: 'demo' });
    for (let i = 0; i < 3; i++) {
      await ledger.purchase({ key: `demo:purchase:${n}:${i}`, accountId: account.id, merchantId: i === 2 ? kiosk : canteen, basket: [{ product: 'meals', amount: 15_000 + 2_500 * i + 100 * n }] });
    }
    if (n === 1) {
      const bought = await ledger.purchase({ key: 'demo:purchase:shop', accountId: account.id, merchantId: kiosk, basket: [{ product: 'shop', amount: 12_345 }] });
      if (bought.status === 'approved') await ledger.refund({ key: 'demo:refund', operationId: bought.operationId, createdBy: 'demo' });
    }
  }
}
