import { sql, type Kysely } from 'kysely';
import type { PrepaidDb } from '../tables.js';

/**
 * Test data for the exchange suites: products and many clients with one account each, inserted
 * set-based (a 5,000-line credit file needs 5,000 accounts without 5,000 round trips).
 */
export async function ensureProducts(db: Kysely<PrepaidDb>) {
  await sql`insert into products (code, name) values ('meals', 'Питание'), ('own', 'Собственные') on conflict (code) do nothing`.execute(db);
}

/** Clients `<prefix>-1` … `<prefix>-<n>`, each with one account (number `<base + i>`) and a meals wallet. */
export async function seedClients(db: Kysely<PrepaidDb>, prefix: string, n: number, accountBase: number) {
  await sql`
    with c as (
      insert into clients (external_id, full_name)
      select ${prefix} || '-' || i, 'Клиент ' || i from generate_series(1, ${n}::int) i
      returning id, external_id),
    a as (
      insert into accounts (client_id, number)
      select c.id, (${accountBase}::bigint + split_part(c.external_id, '-', -1)::bigint)::text from c
      returning id)
    insert into wallets (account_id, product_code) select a.id, 'meals' from a`.execute(db);
}

export async function walletTotal(db: Kysely<PrepaidDb>, prefix: string, product = 'meals'): Promise<bigint> {
  const { rows } = await sql<{ total: bigint | null }>`
    select sum(w.balance)::int8 as total from wallets w join accounts a on a.id = w.account_id join clients c on c.id = a.client_id
    where c.external_id like ${`${prefix}-%`} and w.product_code = ${product}`.execute(db);
  return rows[0]?.total ?? 0n;
}

export async function countOperations(db: Kysely<PrepaidDb>, type = 'credit'): Promise<number> {
  const { rows } = await sql<{ n: bigint }>`select count(*)::int8 as n from operations where type = ${type}`.execute(db);
  return Number(rows[0]!.n);
}

/** A credit registry CSV crediting `<prefix>-1…n` amounts 1.01, 1.02, … ₽; its total in kopecks. */
export function creditCsv(prefix: string, n: number, o: { delimiter?: string; extra?: string[] } = {}): { csv: string; total: bigint } {
  const d = o.delimiter ?? ';';
  const lines = [['line_id', 'client_id', 'product', 'amount'].join(d)];
  let total = 0n;
  for (let i = 1; i <= n; i++) {
    const kopecks = 100 + (i % 1000);
    total += BigInt(kopecks);
    lines.push([`L${i}`, `${prefix}-${i}`, 'meals', `${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`].join(d));
  }
  lines.push(...(o.extra ?? []));
  return { csv: `${lines.join('\r\n')}\r\n`, total };
}
