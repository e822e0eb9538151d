import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openAccount } from '../accounts/accounts.service.js';
import { createClient, createMerchant, createProduct } from '../directories/directories.repo.js';
import type { PrepaidDb } from '../tables.js';

/**
 * A small prepaid programme for ledger tests: subsidised meals (daily limit 500 ₽, 300 ₽ a purchase)
 * and own funds; a canteen that takes both, a shop that takes own funds only.
 */
export async function createProgramme(db: Kysely<PrepaidDb>) {
  // Products are shared reference data: a second programme in one database reuses them.
  if (!(await db.selectFrom('products').select('code').where('code', '=', 'meals').executeTakeFirst())) {
    await createProduct(db, { code: 'meals', name: 'Льготное питание', dailyDebitLimit: 50_000n, perOperationLimit: 30_000n, maxBalance: 1_000_000n });
    await createProduct(db, { code: 'own', name: 'Собственные средства' });
  }
  const canteen = await createMerchant(db, { code: `canteen-${randomUUID().slice(0, 8)}`, name: 'Столовая №1', products: ['meals', 'own'] });
  const shop = await createMerchant(db, { code: `shop-${randomUUID().slice(0, 8)}`, name: 'Буфет', products: ['own'] });
  return { canteen, shop };
}

export async function newAccount(db: Kysely<PrepaidDb>, name = 'Петров Пётр') {
  const clientId = await createClient(db, { fullName: name });
  return openAccount(db, { clientId, products: ['meals', 'own'] });
}

export const key = () => randomUUID();
