import type { Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/** Reference data the ledger needs: products (wallet types), merchants and what they accept, clients. */
export async function createProduct(
  db: Kysely<PrepaidDb>,
  p: {
    code: string;
    name: string;
    minBalance?: bigint;
    maxBalance?: bigint | null;
    perOperationLimit?: bigint | null;
    dailyDebitLimit?: bigint | null;
    monthlyDebitLimit?: bigint | null;
    creditPerOperationLimit?: bigint | null;
    dailyCreditLimit?: bigint | null;
    monthlyCreditLimit?: bigint | null;
  },
) {
  await db
    .insertInto('products')
    .values({
      code: p.code,
      name: p.name,
      min_balance: p.minBalance ?? 0n,
      max_balance: p.maxBalance ?? null,
      per_operation_limit: p.perOperationLimit ?? null,
      daily_debit_limit: p.dailyDebitLimit ?? null,
      monthly_debit_limit: p.monthlyDebitLimit ?? null,
      credit_per_operation_limit: p.creditPerOperationLimit ?? null,
      daily_credit_limit: p.dailyCreditLimit ?? null,
      monthly_credit_limit: p.monthlyCreditLimit ?? null,
    })
    .execute();
}

export async function createMerchant(db: Kysely<PrepaidDb>, m: { code: string; name: string; products: string[]; providerId?: string }): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('merchants').values({ code: m.code, name: m.name, provider_id: m.providerId ?? null }).returning('id').executeTakeFirstOrThrow();
    if (m.products.length) await trx.insertInto('merchant_products').values(m.products.map((product_code) => ({ merchant_id: id, product_code }))).execute();
    return id;
  });
}

export async function createClient(db: Kysely<PrepaidDb>, c: { fullName: string; externalId?: string; phone?: string; email?: string }): Promise<string> {
  const row = await db
    .insertInto('clients')
    .values({ full_name: c.fullName, external_id: c.externalId ?? null, phone: c.phone ?? null, email: c.email ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A service provider (поставщик услуг) operates merchants; settlement registries are made per provider too. */
export async function createServiceProvider(db: Kysely<PrepaidDb>, p: { code: string; name: string }): Promise<string> {
  const row = await db.insertInto('service_providers').values(p).returning('id').executeTakeFirstOrThrow();
  return row.id;
}
